"""Submitting an application (pure): validate the form, derive the contact, decide.

A submission is a new aggregate. Its id is derived from the town, the procedure and the
client's idempotency key, so a double click or a retried request lands on the same
aggregate: deciding again on an existing submission yields nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from contracts.base import DomainEvent
from contracts.events.intake import ApplicationSubmitted, AttachmentRef
from contracts.procedures import UnknownProcedure, procedure
from contracts.values import Contact


class UnknownFormVersion(LookupError):
    """No form schema exists for this procedure and version."""


def form_model(procedure_id: str, version: int) -> type[BaseModel]:
    """The form schema a procedure's form version is validated against."""
    try:
        return procedure(procedure_id).form(version)
    except (KeyError, UnknownProcedure):
        raise UnknownFormVersion(f"{procedure_id} v{version}") from None


def validate_form(procedure_id: str, version: int, data: dict[str, Any]) -> BaseModel:
    """Parse the citizen's input; raises pydantic's ``ValidationError`` field by field."""
    return form_model(procedure_id, version).model_validate(data)


def contact_of(procedure_id: str, form: BaseModel) -> Contact | None:
    """Whom notify writes to about this application (None: nobody, e.g. an anonymous report)."""
    return procedure(procedure_id).contact(form)


@dataclass(frozen=True)
class SubmitApplication:
    """The command: a validated form, from a citizen, now."""

    application_id: UUID
    procedure: str
    form_version: int
    form: BaseModel
    attachments: list[AttachmentRef]
    submitted_at: datetime
    tracking_url: str | None = None
    case_number: str | None = None
    tracking_digest: str | None = None


def decide_submission(history: list[DomainEvent], command: SubmitApplication) -> list[DomainEvent]:
    """``ApplicationSubmitted`` for a new submission; nothing if it exists already."""
    if any(isinstance(event, ApplicationSubmitted) for event in history):
        return []
    return [
        ApplicationSubmitted(
            application_id=command.application_id,
            procedure=command.procedure,
            form_version=command.form_version,
            submitted_at=command.submitted_at,
            contact=contact_of(command.procedure, command.form),
            form=command.form.model_dump(mode="json"),
            attachments=command.attachments or None,
            tracking_url=command.tracking_url,
            case_number=command.case_number,
            tracking_digest=command.tracking_digest,
        )
    ]
