"""What happens to a case without a clerk (pure): the applicant's answers and withdrawal, the
timers (hearing deadlines, deadlines near, deemed approval) and the decision's dispatch.

Each is idempotent on the case's state — a redelivered event or a timer that runs twice
finds the case already changed and returns nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    DeadlineNear,
    DecisionDispatched,
    HearingDeadlinePassed,
    InformationReceived,
)
from services.casework.domain.case import Case
from services.casework.domain.deadlines import known_on, working_days_between

DEEMED_APPROVAL = "deemed_approval"
"""``decided_by`` of an approval by the passing of time (§42a VwVfG)."""


def receive_information(case: Case, request_id: UUID, now: datetime) -> list[DomainEvent]:
    """The applicant answered a request (intake's ``InformationProvided``)."""
    if not case.exists or case.closed:
        return []
    request = next((r for r in case.requests if r.request_id == request_id), None)
    if request is None or request.answered:
        return []
    return [InformationReceived(case_id=case.case_id, request_id=request_id, received_at=now)]


def withdraw(case: Case, now: datetime) -> list[DomainEvent]:
    """The applicant withdrew: an undecided case closes; a decided one stays as it is."""
    if not case.exists or case.decided or case.closed:
        return []
    return [CaseClosed(case_id=case.case_id, closed_at=now, reason="withdrawn")]


def note_passed_hearings(case: Case, today: date, now: datetime) -> list[DomainEvent]:
    """Every running hearing whose deadline has passed without an answer."""
    if case.decided or case.closed:
        return []
    return [
        HearingDeadlinePassed(
            case_id=case.case_id, hearing_id=h.hearing_id, due=h.due, noted_at=now
        )
        for h in case.hearings
        if h.pending and h.due < today
    ]


def note_deadline(case: Case, today: date, now: datetime, near_days: int) -> list[DomainEvent]:
    """Announce a deadline that is near (``near_days`` working days) or passed — each once."""
    if case.deadline is None or case.decided or case.closed:
        return []
    passed = case.deadline < today
    near = passed or working_days_between(today, case.deadline) <= near_days
    if not near or (case.deadline, passed) in case.deadline_notices:
        return []
    return [DeadlineNear(case_id=case.case_id, deadline=case.deadline, passed=passed, noted_at=now)]


def deem_approved(case: Case, today: date, now: datetime, deemed: bool) -> list[DomainEvent]:
    """An application the town's procedure approves by the passing of time (§42a VwVfG)."""
    if not deemed or case.deadline is None or case.decided or case.closed:
        return []
    if case.deadline >= today or case.objection_to is not None:
        return []
    return [
        CaseDecided(
            case_id=case.case_id,
            procedure=case.procedure,
            outcome="approved",
            decided_by=DEEMED_APPROVAL,
            on_behalf_of=case.competent_town,
            rule_outcomes=list(case.rule_outcomes),
            reasons=[
                "Die Genehmigung gilt nach Ablauf der Frist am"
                f" {case.deadline:%d.%m.%Y} als erteilt (§ 42a VwVfG)."
            ],
            decided_at=now,
        ),
        CaseClosed(case_id=case.case_id, closed_at=now),
    ]


def record_dispatch(case: Case, dispatched_at: datetime) -> list[DomainEvent]:
    """The decision letter went out: it is made known on the third day (§41 (2) VwVfG)."""
    if not case.decided or case.known_on is not None:
        return []
    return [
        DecisionDispatched(
            case_id=case.case_id,
            dispatched_at=dispatched_at,
            known_on=known_on(german_date(dispatched_at)),
        )
    ]
