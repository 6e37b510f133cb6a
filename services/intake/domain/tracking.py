"""What the applicant sees of their case: each step as a German line on a timeline (pure).

Intake learns the steps from the other services' events; this module decides which events
are steps, in what order they rank, and how they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from contracts.base import DomainEvent
from contracts.events.archive import CaseFiled, PersonalDataErased
from contracts.events.billing import FeeAssessed, NoFeeDue
from contracts.events.casework import CaseClosed, CaseDecided, CaseOpened, CaseReferredToClerk
from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import MessageDelivered, MessageDeliveryFailed

STEP_RANK = {
    "received": 10,
    "case_opened": 20,
    "referred": 30,
    "decided": 40,
    "closed": 50,
    "fee": 60,
    "filed": 70,
}
"""Milestones in the order a case passes them; the highest one reached is the status."""

TEMPLATE_LABELS = {
    "acknowledgement": "Eingangsbestätigung",
    "decision": "Bescheid",
    "fee_notice": "Gebührenbescheid",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line on an application's timeline."""

    application_id: UUID
    step: str
    label: str


def euro(amount: Decimal) -> str:
    """``Decimal('26.00')`` → ``26,00 €``."""
    return f"{amount:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


def timeline_entry(event: DomainEvent) -> TimelineEntry | None:
    """The timeline line an event makes, or ``None`` if the applicant need not see it."""
    match event:
        case ApplicationSubmitted():
            return TimelineEntry(event.application_id, "received", "Antrag eingegangen")
        case CaseOpened():
            return TimelineEntry(event.case_id, "case_opened", "Vorgang angelegt")
        case CaseReferredToClerk():
            return TimelineEntry(
                event.case_id, "referred", "Zur Prüfung an die Sachbearbeitung übergeben"
            )
        case CaseDecided(outcome="approved"):
            return TimelineEntry(
                event.case_id, "decided", "Entschieden: Ihrem Antrag wurde stattgegeben"
            )
        case CaseDecided():
            return TimelineEntry(
                event.case_id, "decided", "Entschieden: Ihr Antrag wurde abgelehnt"
            )
        case CaseClosed():
            return TimelineEntry(event.case_id, "closed", "Vorgang abgeschlossen")
        case FeeAssessed():
            return TimelineEntry(
                event.case_id,
                "fee",
                f"Gebühr festgesetzt: {euro(event.amount)}, fällig am "
                f"{event.due_date:%d.%m.%Y}, Kassenzeichen {event.cash_reference}",
            )
        case NoFeeDue():
            return TimelineEntry(event.case_id, "fee", f"Keine Gebühr: {event.reason}")
        case CaseFiled():
            return TimelineEntry(
                event.case_id, "filed", f"Zur E-Akte genommen (Aktenzeichen {event.file_reference})"
            )
        case MessageDelivered() if event.case_id:
            what = TEMPLATE_LABELS.get(event.template, "Nachricht")
            return TimelineEntry(
                event.case_id, f"message:{event.template}", f"{what} per E-Mail versandt"
            )
        case MessageDeliveryFailed(final=True) if event.case_id:
            what = TEMPLATE_LABELS.get(event.template, "Nachricht")
            return TimelineEntry(
                event.case_id,
                f"message_failed:{event.template}",
                f"{what} konnte nicht per E-Mail zugestellt werden",
            )
        case PersonalDataErased() if event.case_id:
            return TimelineEntry(event.case_id, "erased", "Personenbezogene Daten gelöscht")
    return None


def current_step(steps: list[str]) -> str:
    """The highest milestone among an application's steps."""
    milestones = [step for step in steps if step in STEP_RANK]
    return max(milestones, key=STEP_RANK.__getitem__, default="received")
