"""Events of archive: filed case and invoice records, signed chain heads, erased personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DomainEvent

InvoiceOutcome = Literal["paid", "rejected", "duplicate"]
"""How an incoming invoice's processing ended: paid, sent back, or a duplicate kept."""


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


class InvoiceFiled(DomainEvent):
    """An incoming e-invoice whose processing ended is in its town's e-file.

    Filed like a case — its record is every commit of the invoice's aggregate as stored in
    the log, sealed into the town's hash chain — once it was paid (released in a
    credit-transfer file), rejected back to the supplier, or received as a duplicate. The
    original document and the check's report stay where billing sealed them; their
    checksums are in the filed record (the receipt) and repeated here.
    """

    type_name: ClassVar[str] = "archive.InvoiceFiled"
    aggregate_type: ClassVar[str] = "file"

    invoice_id: UUID
    file_reference: str = Field(description="Aktenzeichen from the town's filing plan")
    event_count: int = Field(ge=1)
    record_hash: str = Field(description="SHA-256 over the filed record")
    chain_hash: str = Field(description="SHA-256 of the previous file's chain hash + this record")
    retain_until: date
    filed_at: datetime
    original_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="The invoice as received")
    report_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="The check's report")
    outcome: InvoiceOutcome


class FilingPosition(BaseModel):
    """One procedure's place in a filing plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(description="The plan position (Aktenplan), e.g. 32.10.01")
    retention_years: int = Field(ge=1, le=100)


class FilingPlanAdopted(DomainEvent):
    """A town's filing plan as archive files by it from now on (from its member file)."""

    type_name: ClassVar[str] = "archive.FilingPlanAdopted"
    aggregate_type: ClassVar[str] = "filing-plan"

    town: str
    positions: dict[str, FilingPosition] = Field(description="Per procedure id")
    adopted_at: datetime


class ChainHeadSigned(DomainEvent):
    """A town's chain head at the end of a German day, signed with archive's Ed25519 key.

    The signed statement is the text ``services.archive.domain.chain_heads.statement`` makes of
    town, day, files and chain hash; the public key is served at
    ``GET /api/v1/chain-heads/key`` of archive.
    """

    type_name: ClassVar[str] = "archive.ChainHeadSigned"
    aggregate_type: ClassVar[str] = "chain-head"

    town: str
    day: date
    files: int = Field(ge=0, description="How many files the town's chain held then")
    chain_hash: str = Field(description="The chain hash of its last file then")
    signature: str = Field(description="Ed25519 over the statement, base64")
    key_id: str = Field(description="The start of the public key's SHA-256")
    signed_at: datetime


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
