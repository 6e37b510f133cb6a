"""Request and response bodies of intake's HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
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


class OpenRequest(BaseModel):
    """A request for information the applicant has not answered yet."""

    request_id: UUID
    question: str | None = Field(
        description="Die Frage der Sachbearbeitung (null, wenn die Daten gelöscht sind)."
    )
    due: date = Field(description="Bitte bis zu diesem Tag antworten.")
    answer_url: str = Field(description="Hierhin die Antwort senden (POST, JSON).")


class DocumentLink(BaseModel):
    """The decision letter, to download."""

    filename: str
    content_type: str
    size: int
    download_url: str = Field(description="Der Bescheid als Datei (GET).")


class DecisionInfo(BaseModel):
    """The decision (Bescheid), its Bekanntgabe and the objection period."""

    outcome: Literal["approved", "rejected"]
    known_on: date | None = Field(
        description="Tag der Bekanntgabe (§ 41 VwVfG), sobald der Bescheid versandt ist."
    )
    objection_until: date | None = Field(
        description="Letzter Tag für einen Widerspruch: ein Monat nach der Bekanntgabe, auf den "
        "nächsten Werktag verschoben (null bei einem Widerspruchsbescheid)."
    )
    document: DocumentLink | None


class LinkedCase(BaseModel):
    """Another case of the same matter: the objection against this decision."""

    application_id: UUID
    case_number: str | None
    status_url: str
    status_page_url: str


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
    kind: Literal["application", "objection"] = Field(
        default="application", description="Ein Antrag oder ein Widerspruch."
    )
    objection_to_case_number: str | None = Field(
        default=None, description="Bei einem Widerspruch: die Vorgangsnummer des Antrags."
    )
    expected_decision: date | None = Field(
        default=None, description="Bis wann voraussichtlich entschieden wird."
    )
    open_requests: list[OpenRequest] = Field(default_factory=list)
    decision: DecisionInfo | None = None
    withdrawn: bool = False
    objection: LinkedCase | None = Field(
        default=None, description="Der Widerspruch gegen diesen Bescheid, wenn eingelegt."
    )
    withdraw_url: str | None = Field(
        default=None, description="Zurücknehmen (POST), solange nicht entschieden ist."
    )
    objection_url: str | None = Field(
        default=None, description="Widerspruch einlegen (POST), sobald entschieden ist."
    )
    attachments_url: str = Field(
        default="", description="Dateien für eine Antwort oder einen Widerspruch (POST)."
    )


class AnswerRequest(BaseModel):
    """The applicant's answer to a request for information."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(max_length=10_000, description="Die Antwort (Pflichtangabe).")
    attachments: list[UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Die Kennungen der Dateien, die zuvor mit demselben Idempotency-Key "
        "hochgeladen wurden (…/applications/{id}/attachments).",
    )


class ObjectionRequest(BaseModel):
    """An objection (Widerspruch) against the decision."""

    model_config = ConfigDict(extra="forbid")

    grounds: str | None = Field(
        default=None,
        max_length=10_000,
        description="Die Begründung (freiwillig, aber hilfreich).",
    )
    attachments: list[UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Die Kennungen der Dateien, die zuvor mit demselben Idempotency-Key "
        "hochgeladen wurden (…/applications/{id}/attachments).",
    )


class StepAccepted(BaseModel):
    """The answer to an applicant's step (an answer, a withdrawal)."""

    message: str
    status_url: str


class ObjectionAccepted(BaseModel):
    """The answer to an objection: a new case, with its own tracking link."""

    objection_id: UUID
    case_number: str | None
    status_url: str
    status_page_url: str
    message: str


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
