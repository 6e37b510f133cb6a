"""Filing a closed case or invoice (pure): when it is complete, its file reference, its seal.

The record of a case is every commit of every service that concerns it, exactly as stored
in the log (personal fields sealed). Its hash is computed over those bytes, so anyone who
reads the log can recompute it; each town's files form a chain — each file's chain hash
covers the previous one — so a file removed or altered afterwards breaks the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.archive import CaseFiled, InvoiceFiled, InvoiceOutcome
from services.archive.domain.filing_plan import DEFAULT_PLAN, PlanEntry, plan_entry

GENESIS = "0" * 64
"""The chain hash before a town's first file."""


INVOICES = "eingangsrechnung"
"""The plan position of incoming invoices (the process id casework delegates by)."""


@dataclass(frozen=True)
class RecordPart:
    """One stored commit of a case's record."""

    stream: str
    stream_seq: int
    commit: bytes


def record_hash(parts: list[RecordPart]) -> str:
    """SHA-256 over the record's commits in log order, each named by stream and sequence."""
    digest = hashlib.sha256()
    for part in sorted(parts, key=lambda p: (p.stream, p.stream_seq)):
        line = f"{part.stream}:{part.stream_seq}:{hashlib.sha256(part.commit).hexdigest()}\n"
        digest.update(line.encode())
    return digest.hexdigest()


def chain_hash(previous: str, record: str) -> str:
    """The next link of a town's chain."""
    return hashlib.sha256(f"{previous}{record}".encode()).hexdigest()


def addendum_link(previous: str, parts: list[RecordPart]) -> tuple[str, str]:
    """An addendum's own hash and its link: the file's record hash starts the file's chain
    of addenda, each link covers the one before — an addendum removed or altered breaks it."""
    sealed_parts = record_hash(parts)
    return sealed_parts, chain_hash(previous, sealed_parts)


def file_reference(
    procedure: str, year: int, number: int, plan: Mapping[str, PlanEntry] = DEFAULT_PLAN
) -> str:
    """Aktenzeichen: plan position / year / running number, e.g. ``32.10.01/2026/00017``."""
    return f"{plan_entry(plan, procedure).code}/{year}/{number:05d}"


def retain_until(
    procedure: str, closed: datetime, plan: Mapping[str, PlanEntry] = DEFAULT_PLAN
) -> date:
    """Retention ends with the (German) calendar year ``retention_years`` after closure."""
    years = plan_entry(plan, procedure).retention_years
    return date(german_date(closed).year + years, 12, 31)


def ready_to_file(*, submitted: bool, closed: bool, fee_settled: bool, filed: bool) -> bool:
    """Whether a case's record is complete enough to file, and not filed yet.

    Each source stream is read by a consumer of its own, so the parts arrive in any order:
    the submission may come after the case's closing and the fee. Filing without it would
    seal an e-file that lacks the application itself.
    """
    return submitted and closed and fee_settled and not filed


@dataclass(frozen=True)
class FileCase:
    """The command: file a complete case."""

    case_id: UUID
    procedure: str
    parts: list[RecordPart]
    previous_chain_hash: str
    number: int
    closed_at: datetime
    now: datetime
    plan: Mapping[str, PlanEntry] = field(default_factory=lambda: dict(DEFAULT_PLAN))
    """The town's filing plan in force (``filing_plan.town_plan``)."""


def sealed(command: FileCase, procedure: str) -> dict[str, Any]:
    """What every filed record carries: its reference, seal, chain link and retention."""
    record = record_hash(command.parts)
    return {
        "file_reference": file_reference(
            procedure, german_date(command.now).year, command.number, command.plan
        ),
        "event_count": len(command.parts),
        "record_hash": record,
        "chain_hash": chain_hash(command.previous_chain_hash, record),
        "retain_until": retain_until(procedure, command.closed_at, command.plan),
        "filed_at": command.now,
    }


def decide_filing(history: list[DomainEvent], command: FileCase) -> list[DomainEvent]:
    """``CaseFiled`` once per case."""
    if history:
        return []
    return [CaseFiled(case_id=command.case_id, **sealed(command, command.procedure))]


@dataclass(frozen=True)
class FileInvoice(FileCase):
    """The command: file an incoming invoice whose processing ended (``case_id`` is its id)."""

    original_sha256: str = ""
    report_sha256: str = ""
    outcome: InvoiceOutcome = "paid"


def decide_invoice_filing(history: list[DomainEvent], command: FileInvoice) -> list[DomainEvent]:
    """``InvoiceFiled`` once per invoice, in the town's chain like its cases."""
    if history:
        return []
    return [
        InvoiceFiled(
            invoice_id=command.case_id,
            **sealed(command, INVOICES),
            original_sha256=command.original_sha256,
            report_sha256=command.report_sha256,
            outcome=command.outcome,
        )
    ]
