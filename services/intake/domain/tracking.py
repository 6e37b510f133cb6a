"""What the applicant sees of their case: each step as a German line on a timeline (pure).

Intake learns the steps from the other services' events; this module decides which events
are steps, in what order they rank, and how they read. A line names no person and quotes
nothing personal (a clerk's question is shown from its sealed event when the page is
served, never stored here); a heard body stays unnamed — the applicant learns only that
statements are being obtained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.base import DomainEvent
from contracts.events.archive import CaseFiled, PersonalDataErased
from contracts.events.billing import FeeAssessed, NoFeeDue
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    DecisionDispatched,
    DecisionDocumentIssued,
    HearingRequested,
    InformationRequested,
    StatusReported,
)
from contracts.events.intake import (
    ApplicationSubmitted,
    ApplicationWithdrawn,
    InformationProvided,
    ObjectionLodged,
)
from contracts.events.notify import MessageDelivered, MessageDeliveryFailed

STEP_RANK = {
    "received": 10,
    "case_opened": 20,
    "referred": 30,
    "decided": 40,
    "withdrawn": 45,
    "closed": 50,
    "fee": 60,
    "filed": 70,
}
"""Milestones in the order a case passes them; the highest one reached is the status."""

DECIDED_RANK = STEP_RANK["decided"]

REPORTED = {
    "in_bearbeitung": "In Bearbeitung",
    "weitergeleitet": "An die zuständige Stelle weitergeleitet",
    "behoben": "Behoben",
    "nicht_zustaendig": "Nicht zuständig",
}
"""A status report's status as the applicant reads it."""

CLOSED_BECAUSE = {
    "decided": "Vorgang abgeschlossen",
    "withdrawn": "Vorgang nach Ihrer Rücknahme eingestellt",
    "merged": "Vorgang mit einem anderen Vorgang zusammengeführt",
}

TEMPLATE_LABELS = {
    "acknowledgement": "Eingangsbestätigung",
    "decision": "Bescheid",
    "fee_notice": "Gebührenbescheid",
    "dog_tax_notice": "Hundesteuerbescheid",
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


def german_day(day: date) -> str:
    """``date(2026, 12, 14)`` → ``14.12.2026``."""
    return f"{day:%d.%m.%Y}"


def timeline_entries(event: DomainEvent) -> list[TimelineEntry]:
    """Every line an event makes: an objection is a line on the first case and the first
    line of its own."""
    if isinstance(event, ObjectionLodged):
        number = f" (Vorgangsnummer {event.case_number})" if event.case_number else ""
        return [
            TimelineEntry(event.application_id, "objection", f"Widerspruch eingelegt{number}"),
            TimelineEntry(event.objection_id, "received", "Widerspruch eingegangen"),
        ]
    entry = timeline_entry(event)
    return [entry] if entry else []


def timeline_entry(event: DomainEvent) -> TimelineEntry | None:
    """The timeline line an event makes, or ``None`` if the applicant need not see it."""
    applicant_side = _applicant_entry(event)
    if applicant_side is not None:
        return applicant_side
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
            return TimelineEntry(event.case_id, "closed", CLOSED_BECAUSE[event.reason])
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


def _applicant_entry(event: DomainEvent) -> TimelineEntry | None:
    """Lines of the applicant's own steps and of what the clerk does in between."""
    match event:
        case InformationRequested():
            return TimelineEntry(
                event.case_id,
                "information_requested",
                f"Rückfrage der Sachbearbeitung (Antwort bis {german_day(event.due)})",
            )
        case InformationProvided():
            return TimelineEntry(
                event.application_id, "information_provided", "Ihre Antwort ist eingegangen"
            )
        case HearingRequested():
            return TimelineEntry(
                event.case_id, "hearing", "Stellungnahmen anderer Stellen werden eingeholt"
            )
        case StatusReported():
            note = f" – {event.note.strip()}" if event.note.strip() else ""
            return TimelineEntry(
                event.case_id,
                "status_report",
                f"Stand der Bearbeitung: {REPORTED[event.status]}{note}",
            )
        case DecisionDocumentIssued():
            return TimelineEntry(event.case_id, "document", "Bescheid zum Herunterladen bereit")
        case DecisionDispatched():
            return TimelineEntry(
                event.case_id,
                "dispatched",
                f"Bescheid versandt; er gilt am {german_day(event.known_on)} als bekannt gegeben",
            )
        case ApplicationWithdrawn():
            return TimelineEntry(
                event.application_id, "withdrawn", "Ihre Rücknahme ist eingegangen"
            )
    return None


def current_step(steps: list[str]) -> str:
    """The highest milestone among an application's steps."""
    milestones = [step for step in steps if step in STEP_RANK]
    return max(milestones, key=STEP_RANK.__getitem__, default="received")


@dataclass(frozen=True)
class Status:
    """Where an application stands, in one line: a step and how it reads."""

    step: str
    label: str


def current_status(lines: Sequence[tuple[str, str]], answer_due: date | None) -> Status:
    """The status of an application whose timeline is ``lines`` (step, label; oldest first).

    The highest milestone, unless the case is still undecided and something newer matters
    more to the applicant: an open request for information (answer by ``answer_due``), or a
    clerk's latest status report on it (a defect report: „behoben“).
    """
    step = current_step([line_step for line_step, _ in lines])
    label = next(
        (text for line_step, text in reversed(lines) if line_step == step), "Antrag eingegangen"
    )
    if STEP_RANK[step] >= DECIDED_RANK:
        return Status(step, label)
    if answer_due is not None:
        return Status(
            "awaiting_information",
            f"Rückfrage offen: Bitte antworten Sie bis zum {german_day(answer_due)}",
        )
    last_milestone = max((i for i, line in enumerate(lines) if line[0] == step), default=-1)
    report = next(
        (
            (i, text)
            for i, (line_step, text) in reversed(list(enumerate(lines)))
            if line_step == "status_report"
        ),
        None,
    )
    if report is not None and report[0] > last_milestone:
        return Status("status_report", report[1])
    return Status(step, label)
