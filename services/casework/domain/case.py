"""A case's state, folded from its events (pure): what every command decides on.

``Case.status`` is what a clerk reads in the queue: waiting for the automated check, in the
queue, being worked on, waiting for the applicant or for heard bodies, decided, closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from contracts.base import DomainEvent
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
    Clerk,
    DeadlineNear,
    DecisionDispatched,
    DecisionDocumentIssued,
    HearingAnswered,
    HearingDeadlinePassed,
    HearingRequested,
    InformationReceived,
    InformationRequested,
    RuleOutcome,
)

OPEN_STATUSES = frozenset(
    {"automated_check", "queued", "in_review", "awaiting_information", "hearing"}
)
STATUS_LABELS = {
    "automated_check": "In automatischer Prüfung",
    "queued": "Im Arbeitskorb",
    "in_review": "In Bearbeitung",
    "awaiting_information": "Rückfrage an Antragsteller/in",
    "hearing": "Anhörung läuft",
    "decided": "Entschieden",
    "closed": "Abgeschlossen",
    "withdrawn": "Zurückgenommen",
}
"""The statuses in the clerk's words."""


@dataclass(frozen=True)
class InformationRequest:
    """A question to the applicant, and whether it was answered."""

    request_id: UUID
    due: date
    answered: bool = False


@dataclass(frozen=True)
class Hearing:
    """A body heard, its deadline, and its answer."""

    hearing_id: UUID
    body: str
    body_name: str
    due: date
    verdict: str | None = None
    conditions: tuple[str, ...] = ()
    passed: bool = False

    @property
    def pending(self) -> bool:
        """Neither answered nor past its deadline: the decision waits for it."""
        return self.verdict is None and not self.passed


@dataclass(frozen=True)
class Case:
    """What the events of one case say, now."""

    case_id: UUID | None = None
    procedure: str = ""
    competent_town: str = ""
    processing_towns: tuple[str, ...] = ()
    opened_at: datetime | None = None
    deadline: date | None = None
    urgent: bool = False
    objection_to: UUID | None = None
    referred: bool = False
    rule_outcomes: tuple[RuleOutcome, ...] = ()
    prepared: str | None = None
    overruled: frozenset[str] = frozenset()
    claimed_by: Clerk | None = None
    claimed_at: datetime | None = None
    requests: tuple[InformationRequest, ...] = ()
    hearings: tuple[Hearing, ...] = ()
    outcome: str | None = None
    decided_at: datetime | None = None
    closed_reason: str | None = None
    document_issued: bool = False
    known_on: date | None = None
    deadline_notices: frozenset[tuple[date, bool]] = frozenset()
    version: int = 0
    """How many events the case has: a command may name it to refuse a stale update."""

    @property
    def exists(self) -> bool:
        """Whether the case was opened."""
        return self.case_id is not None

    @property
    def decided(self) -> bool:
        """Whether a decision was taken."""
        return self.outcome is not None

    @property
    def closed(self) -> bool:
        """Whether nothing more will be done on it."""
        return self.closed_reason is not None

    @property
    def failed_rules(self) -> tuple[RuleOutcome, ...]:
        """The automated check's failed rules that no clerk has overruled."""
        return tuple(o for o in self.rule_outcomes if not o.passed and o.rule not in self.overruled)

    @property
    def status(self) -> str:
        """The status a clerk reads (``STATUS_LABELS``)."""
        if self.closed_reason == "withdrawn":
            return "withdrawn"
        if self.closed:
            return "closed"
        if self.decided:
            return "decided"
        if any(h.pending for h in self.hearings):
            return "hearing"
        if any(not r.answered for r in self.requests):
            return "awaiting_information"
        if self.claimed_by is not None:
            return "in_review"
        return "queued" if self.referred else "automated_check"


def evolve(case: Case, event: DomainEvent) -> Case:
    """The case after one more event."""
    case = replace(case, version=case.version + 1)
    match event:
        case CaseOpened():
            return replace(
                case,
                case_id=event.case_id,
                procedure=event.procedure,
                competent_town=event.competent_town,
                processing_towns=tuple(event.processing_towns),
                opened_at=event.opened_at,
                deadline=event.deadline,
                urgent=event.urgent,
                objection_to=event.objection_to,
            )
        case CaseReferredToClerk():
            return replace(
                case,
                referred=True,
                rule_outcomes=tuple(event.rule_outcomes),
                prepared=event.prepared,
            )
        case CaseClaimed():
            return replace(case, claimed_by=event.clerk, claimed_at=event.claimed_at)
        case CaseReleased():
            return replace(case, claimed_by=None, claimed_at=None)
        case CaseReassigned():
            return replace(case, claimed_by=event.to, claimed_at=event.reassigned_at)
        case CaseMoved():
            return replace(case, processing_towns=tuple(event.processing_towns))
        case InformationRequested():
            request = InformationRequest(event.request_id, event.due)
            return replace(case, requests=(*case.requests, request))
        case InformationReceived():
            return replace(
                case,
                requests=tuple(
                    replace(r, answered=True) if r.request_id == event.request_id else r
                    for r in case.requests
                ),
            )
        case HearingRequested():
            hearing = Hearing(event.hearing_id, event.body, event.body_name, event.due)
            return replace(case, hearings=(*case.hearings, hearing))
        case HearingAnswered():
            return _hearing(
                case,
                event.hearing_id,
                verdict=event.verdict,
                conditions=tuple(event.conditions),
            )
        case HearingDeadlinePassed():
            return _hearing(case, event.hearing_id, passed=True)
        case AutomatedRuleOverruled():
            return replace(case, overruled=case.overruled | {event.rule})
        case CaseDecided():
            return replace(
                case,
                outcome=event.outcome,
                decided_at=event.decided_at,
                rule_outcomes=tuple(event.rule_outcomes) or case.rule_outcomes,
            )
        case CaseClosed():
            return replace(case, closed_reason=event.reason)
        case DecisionDocumentIssued():
            return replace(case, document_issued=True)
        case DecisionDispatched():
            return replace(case, known_on=event.known_on)
        case DeadlineNear():
            notice = (event.deadline, event.passed)
            return replace(case, deadline_notices=case.deadline_notices | {notice})
    return case


def _hearing(case: Case, hearing_id: UUID, **changes: object) -> Case:
    return replace(
        case,
        hearings=tuple(
            replace(h, **changes) if h.hearing_id == hearing_id else h  # type: ignore[arg-type]
            for h in case.hearings
        ),
    )


def fold(events: Iterable[DomainEvent]) -> Case:
    """The case its events describe."""
    case = Case()
    for event in events:
        case = evolve(case, event)
    return case
