"""Request and response bodies of intake's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class ApplicationRequest(BaseModel):
    """An application: the procedure's form, and the files uploaded for it beforehand."""

    model_config = ConfigDict(extra="forbid")

    form: dict[str, Any]
    attachments: list[UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Die Kennungen der Dateien, die zuvor mit demselben Idempotency-Key "
        "hochgeladen wurden (…/attachments).",
    )


class UploadAccepted(BaseModel):
    """A file stored for an application still being filled in."""

    attachment_id: UUID
    filename: str = Field(description="Der bereinigte Anzeigename der Datei.")
    content_type: str = Field(description="Der am Inhalt erkannte Dateityp.")
    size: int
    sha256: str


class ApplicationAccepted(BaseModel):
    """The answer to a submission."""

    application_id: UUID
    case_number: str | None = Field(
        description="Die Vorgangsnummer, z. B. WUR-2026-000017 (für Rückfragen am Telefon)."
    )
    status_url: str = Field(description="Der Stand als JSON, für Programme (das Widget).")
    status_page_url: str = Field(
        description="Der Stand als Seite, für Menschen: der Link der Eingangsbestätigung."
    )
    message: str


class TimelineLine(BaseModel):
    """One step of an application."""

    step: str
    label: str
    occurred_at: datetime


class ApplicationStatus(BaseModel):
    """What the applicant sees through the tracking link."""

    application_id: UUID
    case_number: str | None = Field(default=None, description="Die Vorgangsnummer.")
    town: str
    town_name: str | None
    procedure: str
    procedure_title: str
    submitted_at: datetime
    status: str
    status_label: str
    timeline: list[TimelineLine]


class ProcedureInfo(BaseModel):
    """A procedure a town offers, as its citizens see it in the catalogue."""

    procedure: str
    title: str
    description: str = Field(description="Worum es geht, in einem Satz oder zwei.")
    have_at_hand: list[str] = Field(description="Was Sie bereithalten sollten.")
    fee_hint: str | None = Field(description="Was es kostet (sofern bekannt).")
    competent_office: str
    contact: str | None
    opening_hours: str | None
    form_version: int
    form_url: str
