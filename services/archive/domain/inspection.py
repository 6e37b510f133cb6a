"""File inspection (Akteneinsicht), pure: who may look, how the access is recorded, and how a
filed record reads in German.

Two kinds of people look into a filed case. The applicant, through the tracking link intake
gave them: archive never sees the link's secret, only its SHA-256 (``tracking_digest`` of
``ApplicationSubmitted``), and compares digests in constant time. And a clerk of a town
entitled to the case — the competent town, a town it was delegated to, a town whose clerk
decided it — whose procedures include the case's (as casework's desk decides who may work
on a case). Every access becomes a ``FileInspected`` before anything is shown.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.base import DomainEvent
from contracts.events.archive import FileInspected
from contracts.events.billing import FeeAssessed, NoFeeDue
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    Clerk,
)
from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import MessageDelivered, MessageDeliveryFailed

THE_FILE = "file"
"""``FileInspected.what`` when the file itself was shown (else a document's file name)."""

DESK_ROLES = ("clerk", "supervisor")
ALL_PROCEDURES = "*"


def token_digest(token: str) -> str:
    """SHA-256 (hex) of a tracking token, as intake records it."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def applicant_token_valid(recorded_digest: str | None, token: str | None) -> bool:
    """Whether ``token`` is the tracking token whose digest intake recorded (constant time).

    No digest recorded (an application from before it was introduced, or none arrived yet)
    means no applicant access: nothing to compare against is never a match.
    """
    if not recorded_digest or not token:
        return False
    return hmac.compare_digest(recorded_digest.encode(), token_digest(token).encode())


@dataclass(frozen=True)
class Inspector:
    """A signed-in clerk as the token names them (``runtime.auth.Identity``'s relevant part)."""

    subject: str
    name: str
    roles: Collection[str]
    towns: Sequence[str]
    procedures: Collection[str]

    @property
    def clerk(self) -> Clerk:
        """How the access log names them: their own town is the first of their towns."""
        return Clerk(id=self.subject, name=self.name, town=self.towns[0])


def clerk_may_inspect(
    inspector: Inspector, entitled_towns: Collection[str], procedure: str
) -> bool:
    """A clerk (or supervisor) of an entitled town, who handles the case's procedure."""
    return (
        any(role in DESK_ROLES for role in inspector.roles)
        and any(town in entitled_towns for town in inspector.towns)
        and (procedure in inspector.procedures or ALL_PROCEDURES in inspector.procedures)
    )


@dataclass(frozen=True)
class FiledCase:
    """A filed case as a search lists it: what finds it and who may read it, nothing more."""

    case_id: UUID
    tenant: str
    file_reference: str
    case_number: str | None
    procedure: str
    filed_at: datetime
    entitled_towns: tuple[str, ...]


SEARCH_TERM_LIMIT = 100
"""Longer than any case number, Aktenzeichen or case id: nothing to look for."""


def search_term(text: str) -> str | None:
    """What a clerk typed into the search, trimmed; ``None`` if it cannot name a file."""
    term = " ".join(text.split())
    if not term or len(term) > SEARCH_TERM_LIMIT:
        return None
    return term


def as_case_id(term: str) -> UUID | None:
    """The term as a case id, if it is one (a clerk may paste it from a link)."""
    try:
        return UUID(term)
    except ValueError:
        return None


def visible_to(inspector: Inspector, found: Sequence[FiledCase]) -> list[FiledCase]:
    """The files the clerk may inspect; the others are as if not found (never hinted at)."""
    return [f for f in found if clerk_may_inspect(inspector, f.entitled_towns, f.procedure)]


def entitled_towns(
    competent: str | None, processing: Sequence[str], deciding: Sequence[str]
) -> list[str]:
    """Every town whose clerks may read the file: competent, processing, deciding (no repeats)."""
    towns = [competent] if competent else []
    return list(dict.fromkeys([*towns, *processing, *deciding]))


def inspected(case_id: UUID, what: str, at: datetime, clerk: Clerk | None = None) -> FileInspected:
    """The access, as it is logged: by the clerk named, else by the applicant."""
    return FileInspected(
        case_id=case_id,
        by="clerk" if clerk else "applicant",
        clerk=clerk,
        what=what,
        inspected_at=at,
    )


SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


def document_name_acceptable(name: str) -> bool:
    """A document's file name as a URL segment may name: no path, no control characters."""
    return bool(SAFE_NAME.match(name)) and name not in (".", "..")


@dataclass(frozen=True)
class Entry:
    """One line of a filed record as people read it."""

    at: datetime
    text: str


def euro(amount: Decimal, currency: str = "EUR") -> str:
    """``Decimal("1234.5")`` → ``1.234,50 EUR``."""
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return f"{whole.replace(',', '.')},{cents} {currency}"


OUTCOMES = {"approved": "genehmigt", "rejected": "abgelehnt"}
CLOSED = {
    "decided": "Vorgang abgeschlossen",
    "withdrawn": "Vorgang nach Rücknahme des Antrags abgeschlossen",
    "merged": "Vorgang mit einem anderen zusammengeführt und abgeschlossen",
}


def describe(event: DomainEvent, at: datetime) -> Entry | None:
    """What an event of the record says, in German, without any personal data.

    ``None`` for what a reader of the file need not see as a line of its own.
    """
    text = _text(event)
    return Entry(at, text) if text else None


def _text(event: DomainEvent) -> str | None:
    match event:
        case ApplicationSubmitted():
            number = f" (Vorgangsnummer {event.case_number})" if event.case_number else ""
            return f"Antrag eingereicht{number}"
        case CaseOpened():
            return "Vorgang eröffnet"
        case CaseReferredToClerk():
            return "Zur Prüfung an die Sachbearbeitung gegeben"
        case CaseDecided():
            return _decided(event)
        case CaseClosed():
            return CLOSED.get(event.reason, "Vorgang abgeschlossen")
        case FeeAssessed():
            return (
                f"Gebühr festgesetzt: {euro(event.amount, event.currency)} "
                f"(Kassenzeichen {event.cash_reference})"
            )
        case NoFeeDue():
            return "Keine Gebühr erhoben"
        case MessageDelivered():
            return "Nachricht an Sie zugestellt"
        case MessageDeliveryFailed():
            return "Nachricht an Sie konnte nicht zugestellt werden"
    return None


def _decided(event: CaseDecided) -> str:
    outcome = OUTCOMES.get(event.outcome, event.outcome)
    who = f"von {event.clerk.name}" if event.clerk else "automatisch"
    return f"Entschieden: {outcome} ({who})"


def record_entries(events: Sequence[tuple[DomainEvent, datetime]]) -> list[Entry]:
    """The record's lines, oldest first (events as decoded, with when they occurred)."""
    entries = [entry for event, at in events if (entry := describe(event, at)) is not None]
    return sorted(entries, key=lambda entry: entry.at)
