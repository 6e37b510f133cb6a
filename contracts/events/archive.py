"""Events of archive: filed case and invoice records, signed chain heads, erased personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DomainEvent
from contracts.events.casework import Clerk

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


class FileInspected(DomainEvent):
    """Someone looked into a filed case (Akteneinsicht): who, when, what.

    Logged before anything is shown, for every access — the applicant's through their
    tracking link, a clerk's of an entitled town — and listed to the applicant. The clerk is
    named as casework's events name clerks (not marked personal, like ``CaseDecided.clerk``):
    they act in office, and who looked into a file must stay on record after the applicant's
    own data is erased. Nothing about the applicant is in it (no address, no device).
    """

    type_name: ClassVar[str] = "archive.FileInspected"
    aggregate_type: ClassVar[str] = "inspection"

    case_id: UUID
    by: Literal["applicant", "clerk"]
    clerk: Clerk | None = Field(default=None, description="The clerk who looked (by 'clerk')")
    what: str = Field(
        min_length=1, description="'file' (the file itself) or the file name of a document"
    )
    inspected_at: datetime


class RetentionExpired(DomainEvent):
    """A file's retention period ended (the disposal timer, once per file): it is on the
    town's disposal list until it is handed over to the state archive or destroyed."""

    type_name: ClassVar[str] = "archive.RetentionExpired"
    aggregate_type: ClassVar[str] = "disposal-item"

    case_id: UUID
    file_reference: str
    retain_until: date
    expired_at: datetime = Field(description="By the timers' clock")


class LegalHoldPlaced(DomainEvent):
    """A legal hold: the file is not disposed of, whatever its retention says."""

    type_name: ClassVar[str] = "archive.LegalHoldPlaced"
    aggregate_type: ClassVar[str] = "legal-hold"

    case_id: UUID
    reason: str
    placed_at: datetime


class LegalHoldLifted(DomainEvent):
    """The legal hold on a file ended; its disposal may go on."""

    type_name: ClassVar[str] = "archive.LegalHoldLifted"
    aggregate_type: ClassVar[str] = "legal-hold"

    case_id: UUID
    reason: str
    lifted_at: datetime


class DisposalOffered(DomainEvent):
    """Files were offered to the state archive (xdomea 0501) and it confirmed receipt (0504)."""

    type_name: ClassVar[str] = "archive.DisposalOffered"
    aggregate_type: ClassVar[str] = "disposal"

    process_id: UUID
    town: str
    case_ids: list[UUID]
    offer_sha256: str
    offered_at: datetime


class DisposalAppraised(DomainEvent):
    """The state archive's appraisal (0502) was read back: what it takes, what is destroyed."""

    type_name: ClassVar[str] = "archive.DisposalAppraised"
    aggregate_type: ClassVar[str] = "disposal"

    process_id: UUID
    town: str
    to_archive: list[UUID]
    to_destroy: list[UUID]
    appraisal_sha256: str
    appraised_at: datetime


class FilesHandedOver(DomainEvent):
    """The files the archive takes were handed over (0503 with their documents); the archive
    confirmed the import (0506) of ``imported``."""

    type_name: ClassVar[str] = "archive.FilesHandedOver"
    aggregate_type: ClassVar[str] = "disposal"

    process_id: UUID
    town: str
    imported: list[UUID]
    not_imported: list[UUID]
    package_sha256: str
    documents: int = Field(ge=0)
    handed_over_at: datetime


class FileDestroyed(DomainEvent):
    """The destruction record: a file's retention ended and it was handed over or appraised
    as not worth keeping, so its key was destroyed and its stored documents deleted. Its
    reference and hashes stay on the town's chain, which keeps verifying."""

    type_name: ClassVar[str] = "archive.FileDestroyed"
    aggregate_type: ClassVar[str] = "disposal-item"

    case_id: UUID
    file_reference: str
    process_id: UUID
    handed_over: bool
    documents_deleted: int = Field(ge=0)
    destroyed_at: datetime


class AddendumFiled(DomainEvent):
    """A commit concerning a filed case arrived after its filing (a late delivery status, a
    payment, a reminder, a document) and was added to the file as an addendum: sealed like the
    record, linked to the file's record hash or the addendum before it, so the file — record
    and addenda — stays verifiable; the town's chain is not touched.

    Its own aggregate (``addendum``, one per file): a case collects several addenda (every
    delivery status after the filing), and readers of the file's ``CaseFiled`` need none."""

    type_name: ClassVar[str] = "archive.AddendumFiled"
    aggregate_type: ClassVar[str] = "addendum"

    case_id: UUID
    number: int = Field(ge=1, description="1 for the file's first addendum")
    event_types: list[str]
    addendum_hash: str = Field(description="SHA-256 over the addendum's commit, as a record")
    link_hash: str = Field(description="SHA-256 of the previous link (the record hash) + this")
    filed_at: datetime
