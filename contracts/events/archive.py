"""Events of archive: filed case records and erased personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import DomainEvent


class CaseFiled(DomainEvent):
    """A closed case's complete record is in the e-file, sealed by its hash chain."""

    type_name: ClassVar[str] = "archive.CaseFiled"
    aggregate_type: ClassVar[str] = "file"

    case_id: UUID
    file_reference: str = Field(description="Aktenzeichen from the town's filing plan")
    event_count: int = Field(ge=1)
    record_hash: str = Field(description="SHA-256 over the filed record")
    chain_hash: str = Field(description="SHA-256 of the previous file's chain hash + this record")
    retain_until: date
    filed_at: datetime


class PersonalDataErased(DomainEvent):
    """The data key of a case was destroyed: its personal data is unreadable everywhere.

    Every service that holds a decrypted copy deletes it when it sees this event.
    """

    type_name: ClassVar[str] = "archive.PersonalDataErased"
    aggregate_type: ClassVar[str] = "erasure"

    data_key: str
    case_id: UUID | None
    reason: str
    erased_at: datetime
