"""A case as a clerk reads it — now, or as it was at any past moment (pure).

Built from the event history only: the case's events in casework's stream and the
application's events in intake's stream (the submission, the applicant's answers, an
objection). Cutting both at a moment gives exactly what a clerk could have seen then —
"Stand vom …" — without any copy kept for the purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import GERMANY
from contracts.events.casework import (
    AutomatedRuleOverruled,
    CaseClaimed,
    CaseClosed,
    CaseDecided,
    CaseMoved,
    CaseOpened,
    CaseReassigned,
    CaseReferredToClerk,
    CaseReleased,
    DeadlineNear,
    DecisionDispatched,
    DecisionDocumentIssued,
    DocumentRef,
    FeeBasis,
    HearingAnswered,
    HearingDeadlinePassed,
    HearingRequested,
    InformationReceived,
    InformationRequested,
    RuleOutcome,
    StatusReported,
)
from contracts.events.intake import (
    ApplicationSubmitted,
    ApplicationWithdrawn,
    AttachmentRef,
    InformationProvided,
    ObjectionLodged,
)
from contracts.procedures import procedure_title
from runtime.codec import Envelope
from services.casework.domain.case import STATUS_LABELS, Case, evolve

VERDICTS = {
    "zustimmung": "Zustimmung",
    "zustimmung_mit_auflagen": "Zustimmung mit Auflagen",
    "ablehnung": "Ablehnung",
    "stellungnahme": "Stellungnahme ohne Votum",
}
REPORTED = {
    "in_bearbeitung": "In Bearbeitung",
    "weitergeleitet": "Weitergeleitet",
    "behoben": "Behoben",
    "nicht_zustaendig": "Nicht zuständig",
}


@dataclass
class RequestView:
    """A request for information and the applicant's answer."""

    request_id: UUID
    question: str | None
    due: date
    asked_by: str
    asked_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None
    attachments: list[AttachmentRef] = field(default_factory=list)


@dataclass
class HearingView:
    """A body heard: what about, until when, and its answer."""

    hearing_id: UUID
    body: str
    body_name: str
    subject: str
    due: date
    requested_at: datetime
    verdict: str | None = None
    statement: str = ""
    conditions: list[str] = field(default_factory=list)
    recorded_by: str | None = None
    answered_at: datetime | None = None
    deadline_passed: bool = False


DELIVERY_LABELS = {
    "delivered": "zugestellt an den Mailserver",
    "deferred": "verzögert",
    "bounced": "unzustellbar (Bounce)",
    "failed": "fehlgeschlagen",
}
"""A message's delivery status as the clerk reads it (``projections.case_messages``)."""
MESSAGE_LABELS = {
    "acknowledgement": "Eingangsbestätigung",
    "decision": "Bescheid",
    "information_request": "Rückfrage",
    "status_report": "Sachstandsmitteilung",
    "withdrawal": "Bestätigung der Rücknahme",
    "fee_notice": "Gebührenbescheid",
    "reminder": "Zahlungserinnerung",
    "fee_invoice": "Rechnung (XRechnung)",
    "hearing_invitation": "Bitte um Stellungnahme (Anhörung)",
    "deadline_near": "Fristhinweis an die Sachbearbeitung",
    "objection_received": "Eingang eines Widerspruchs",
    "dog_tax_notice": "Hundesteuerbescheid",
}
"""notify's template names, as the clerk reads them (another name is shown as it is)."""


@dataclass
class MessageView:
    """A message about the case and how its delivery went (notify's log)."""

    message_id: UUID
    template: str
    status: str
    recipient: str | None
    detail: str | None
    at: datetime

    @property
    def label(self) -> str:
        """What the message was, in German."""
        return MESSAGE_LABELS.get(self.template, self.template)

    @property
    def status_label(self) -> str:
        """Its delivery status, in German."""
        return DELIVERY_LABELS.get(self.status, self.status)


@dataclass
class HistoryEntry:
    """One line of the case's history, in German."""

    at: datetime
    actor: str
    text: str


@dataclass
class CaseView:
    """Everything the clerk's page (and the API) shows of a case."""

    case_id: UUID
    as_of: datetime | None
    state: Case
    tenant: str = ""
    case_number: str | None = None
    procedure_title: str = ""
    form_version: int | None = None
    form: dict[str, Any] | None = None
    applicant_name: str | None = None
    applicant_email: str | None = None
    submitted_at: datetime | None = None
    attachments: list[AttachmentRef] = field(default_factory=list)
    objection_grounds: str | None = None
    rule_outcomes: list[RuleOutcome] = field(default_factory=list)
    overrulings: dict[str, str] = field(default_factory=dict)
    requests: list[RequestView] = field(default_factory=list)
    hearings: list[HearingView] = field(default_factory=list)
    outcome: str | None = None
    conditions: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    fee: FeeBasis | None = None
    decided_by: str | None = None
    decided_automatically: bool = False
    """Decided without a clerk (automation, or approval by the passing of time): the page
    says "automatisch" rather than the log's technical ``decided_by``."""
    decided_at: datetime | None = None
    document: DocumentRef | None = None
    dispatched_at: datetime | None = None
    known_on: date | None = None
    status_reports: list[tuple[datetime, str, str]] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    suggested_hearings: list[str] = field(default_factory=list)
    """Bodies the procedure should hear that have not been heard yet (``domain.hearings``)."""
    messages: list[MessageView] = field(default_factory=list)
    """The case's messages and their delivery status (``projections.case_messages``)."""

    @property
    def status(self) -> str:
        """The status (``STATUS_LABELS`` key)."""
        return self.state.status

    @property
    def status_label(self) -> str:
        """The status in the clerk's words."""
        return STATUS_LABELS[self.state.status]


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(GERMANY):%d.%m.%Y %H:%M}"


def build(
    case_id: UUID,
    case_events: Iterable[Envelope[DomainEvent]],
    application_events: Iterable[Envelope[DomainEvent]],
    as_of: datetime | None = None,
) -> CaseView:
    """The case from both histories, cut at ``as_of`` (``None``: now)."""
    events = sorted(
        (
            e
            for e in (*case_events, *application_events)
            if as_of is None or e.meta.occurred_at <= as_of
        ),
        key=lambda e: (e.meta.occurred_at, str(e.meta.event_id)),
    )
    view = CaseView(case_id=case_id, as_of=as_of, state=Case())
    for envelope in events:
        apply(view, envelope)
    view.procedure_title = procedure_title(view.state.procedure) if view.state.procedure else ""
    return view


def apply(view: CaseView, envelope: Envelope[DomainEvent]) -> None:
    """One event's part of the view (a case event also moves the state)."""
    event, meta = envelope.event, envelope.meta
    at, actor = meta.occurred_at, meta.actor

    def note(text: str) -> None:
        view.history.append(HistoryEntry(at, actor, text))

    if event.aggregate_type == "case":
        view.state = evolve(view.state, event)
    match event:
        case ApplicationSubmitted() if event.application_id == view.case_id:
            view.tenant = meta.tenant
            view.form, view.form_version = event.form, event.form_version
            view.case_number = view.case_number or event.case_number
            view.submitted_at = event.submitted_at
            if event.contact:
                view.applicant_name, view.applicant_email = event.contact.name, event.contact.email
            view.attachments += event.attachments or []
            note("Antrag eingegangen")
        case ApplicationSubmitted():
            # The first application of an objection: who objects, and what was applied for.
            view.form, view.form_version = event.form, event.form_version
            if event.contact:
                view.applicant_name, view.applicant_email = event.contact.name, event.contact.email
        case ObjectionLodged() if event.objection_id == view.case_id:
            view.objection_grounds = event.grounds
            view.attachments += event.attachments or []
            view.case_number = view.case_number or event.case_number
            view.submitted_at = event.lodged_at
            note("Widerspruch eingegangen")
        case InformationProvided():
            for request in view.requests:
                if request.request_id == event.request_id:
                    request.answer = event.answer
                    request.answered_at = event.provided_at
                    request.attachments = list(event.attachments or [])
            note("Antwort der antragstellenden Person eingegangen")
        case ApplicationWithdrawn():
            note("Antrag von der antragstellenden Person zurückgenommen")
        case CaseOpened():
            view.tenant = view.tenant or meta.tenant
            view.case_number = event.case_number or view.case_number
            due = f", zu entscheiden bis {event.deadline:%d.%m.%Y}" if event.deadline else ""
            note(f"Vorgang angelegt{due}")
        case CaseReferredToClerk():
            view.rule_outcomes = list(event.rule_outcomes)
            failed = [o.rule for o in event.rule_outcomes if not o.passed]
            if event.prepared:
                note("Automatische Prüfung: alle Regeln erfüllt, Entscheidung vorbereitet")
            elif failed:
                note(f"Automatische Prüfung: nicht erfüllt – {', '.join(failed)}")
            else:
                note("In den Arbeitskorb gelegt")
        case CaseClaimed() if event.taken_over_from:
            note(f"Von {event.clerk.name} übernommen (zuvor {event.taken_over_from.name})")
        case CaseClaimed():
            note(f"Von {event.clerk.name} übernommen")
        case CaseReleased():
            note(f"Von {event.clerk.name} zurückgegeben")
        case CaseReassigned():
            note(f"{event.by.name} hat den Vorgang {event.to.name} zugewiesen: {event.reason}")
        case CaseMoved():
            towns = ", ".join(event.processing_towns)
            note(f"Bearbeitende Kommunen geändert ({towns}): {event.reason}")
        case InformationRequested():
            view.requests.append(
                RequestView(
                    event.request_id, event.question, event.due, event.by.name, event.requested_at
                )
            )
            note(f"Rückfrage an die antragstellende Person, Frist {event.due:%d.%m.%Y}")
        case InformationReceived():
            pass
        case HearingRequested():
            view.hearings.append(
                HearingView(
                    event.hearing_id,
                    event.body,
                    event.body_name,
                    event.subject,
                    event.due,
                    event.requested_at,
                )
            )
            note(f"Anhörung: {event.body_name}, Frist {event.due:%d.%m.%Y}")
        case HearingAnswered():
            for hearing in view.hearings:
                if hearing.hearing_id == event.hearing_id:
                    hearing.verdict = event.verdict
                    hearing.statement = event.statement
                    hearing.conditions = list(event.conditions)
                    hearing.recorded_by = event.recorded_by
                    hearing.answered_at = event.answered_at
                    note(f"Stellungnahme von {hearing.body_name}: {VERDICTS[event.verdict]}")
        case HearingDeadlinePassed():
            for hearing in view.hearings:
                if hearing.hearing_id == event.hearing_id:
                    hearing.deadline_passed = True
                    note(f"Frist der Anhörung von {hearing.body_name} abgelaufen, ohne Antwort")
        case AutomatedRuleOverruled():
            view.overrulings[event.rule] = event.reason
            note(f"Regel {event.rule} von {event.by.name} überstimmt: {event.reason}")
        case StatusReported():
            label = REPORTED[event.status]
            view.status_reports.append((event.reported_at, label, event.note))
            note(f"Sachstand mitgeteilt: {label}")
        case CaseDecided():
            view.outcome = event.outcome
            view.conditions, view.reasons = list(event.conditions), list(event.reasons)
            view.fee, view.decided_at = event.fee, event.decided_at
            view.decided_by = event.clerk.name if event.clerk else event.decided_by
            view.decided_automatically = event.clerk is None and not (
                event.decided_by.startswith("clerk:")
            )
            if event.rule_outcomes:
                view.rule_outcomes = list(event.rule_outcomes)
            what = "stattgegeben" if event.outcome == "approved" else "abgelehnt"
            who = f"von {event.clerk.name}" if event.clerk else "automatisch"
            note(f"Entschieden ({who}): {what}")
        case CaseClosed(reason="withdrawn"):
            note("Vorgang geschlossen: Antrag zurückgenommen")
        case CaseClosed():
            note("Vorgang abgeschlossen")
        case DecisionDocumentIssued():
            view.document = event.document
            note("Bescheid erstellt")
        case DecisionDispatched():
            view.dispatched_at, view.known_on = event.dispatched_at, event.known_on
            note(
                f"Bescheid versandt am {_local(event.dispatched_at)}, bekanntgegeben am"
                f" {event.known_on:%d.%m.%Y}"
            )
        case DeadlineNear(passed=True):
            note(f"Frist am {event.deadline:%d.%m.%Y} überschritten")
        case DeadlineNear():
            note(f"Frist läuft am {event.deadline:%d.%m.%Y} ab")
