"""What happens to a case without a clerk: given its events, when time passes or the
applicant acts, then these events — once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from contracts.base import DomainEvent
from contracts.events.casework import (
    CaseClaimed,
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    Clerk,
    DeadlineNear,
    DecisionDispatched,
    HearingDeadlinePassed,
    HearingRequested,
    InformationReceived,
    InformationRequested,
)
from services.casework.domain import automatic_actions as auto
from services.casework.domain.case import fold

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
REQUEST = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f30")
HEARING = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f20")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLERK = Clerk(id="w", name="Wenzel Wurzner", town="14729410")
DEADLINE = date(2026, 12, 4)  # a Friday


def history(procedure: str = "sondernutzungserlaubnis") -> list[DomainEvent]:
    return [
        CaseOpened(
            case_id=CASE,
            application_id=CASE,
            procedure=procedure,
            competent_town="14729410",
            processing_towns=["14729410"],
            opened_at=NOW,
            deadline=DEADLINE,
        ),
        CaseReferredToClerk(case_id=CASE, queue="q", rule_outcomes=[]),
        CaseClaimed(case_id=CASE, clerk=CLERK, claimed_at=NOW),
    ]


def test_an_answer_to_an_open_request_is_received_once() -> None:
    asked = [
        *history(),
        InformationRequested(
            case_id=CASE, request_id=REQUEST, question="?", due=DEADLINE, by=CLERK, requested_at=NOW
        ),
    ]
    assert fold(asked).status == "awaiting_information"
    received = auto.receive_information(fold(asked), REQUEST, NOW)
    assert received == [InformationReceived(case_id=CASE, request_id=REQUEST, received_at=NOW)]
    assert fold([*asked, *received]).status == "in_review"
    assert auto.receive_information(fold([*asked, *received]), REQUEST, NOW) == []
    assert auto.receive_information(fold(asked), HEARING, NOW) == []  # no such request


def test_a_withdrawal_closes_an_open_case_but_not_a_decided_one() -> None:
    closed = auto.withdraw(fold(history()), NOW)
    assert closed == [CaseClosed(case_id=CASE, closed_at=NOW, reason="withdrawn")]
    assert fold([*history(), *closed]).status == "withdrawn"
    assert auto.withdraw(fold([*history(), *closed]), NOW) == []


def test_a_hearing_past_its_deadline_is_noted_the_day_after_once() -> None:
    heard = [
        *history(),
        HearingRequested(
            case_id=CASE,
            hearing_id=HEARING,
            body="polizei",
            body_name="Polizei",
            body_email="p@example.org",
            subject="x",
            due=DEADLINE,
            by=CLERK,
            requested_at=NOW,
        ),
    ]
    assert auto.note_passed_hearings(fold(heard), DEADLINE, NOW) == []
    noted = auto.note_passed_hearings(fold(heard), date(2026, 12, 5), NOW)
    assert noted == [
        HearingDeadlinePassed(case_id=CASE, hearing_id=HEARING, due=DEADLINE, noted_at=NOW)
    ]
    assert auto.note_passed_hearings(fold([*heard, *noted]), date(2026, 12, 5), NOW) == []


def test_a_deadline_is_announced_when_near_and_again_when_passed() -> None:
    case = fold(history())
    assert auto.note_deadline(case, date(2026, 11, 30), NOW, near_days=2) == []  # 4 working days
    near = auto.note_deadline(case, date(2026, 12, 2), NOW, near_days=2)
    assert near == [DeadlineNear(case_id=CASE, deadline=DEADLINE, passed=False, noted_at=NOW)]
    after_near = fold([*history(), *near])
    assert auto.note_deadline(after_near, date(2026, 12, 3), NOW, near_days=2) == []
    passed = auto.note_deadline(after_near, date(2026, 12, 7), NOW, near_days=2)
    assert passed == [DeadlineNear(case_id=CASE, deadline=DEADLINE, passed=True, noted_at=NOW)]


def test_a_deemed_approval_comes_only_where_the_town_has_one_and_the_time_ran_out() -> None:
    case = fold(history())
    assert auto.deem_approved(case, date(2026, 12, 5), NOW, deemed=False) == []
    assert auto.deem_approved(case, DEADLINE, NOW, deemed=True) == []
    deemed = auto.deem_approved(case, date(2026, 12, 5), NOW, deemed=True)
    assert [type(e) for e in deemed] == [CaseDecided, CaseClosed]
    assert deemed[0].decided_by == auto.DEEMED_APPROVAL  # type: ignore[attr-defined]
    assert "§ 42a VwVfG" in deemed[0].reasons[0]  # type: ignore[attr-defined]


def test_the_dispatch_is_recorded_once_with_the_third_day_as_bekanntgabe() -> None:
    decided = [
        *history(),
        CaseDecided(
            case_id=CASE,
            procedure="sondernutzungserlaubnis",
            outcome="approved",
            decided_by="clerk:w@14729410",
            on_behalf_of="14729410",
            rule_outcomes=[],
            decided_at=NOW,
        ),
    ]
    assert auto.record_dispatch(fold(history()), NOW) == []  # nothing decided yet
    sent = auto.record_dispatch(fold(decided), NOW)
    assert sent == [DecisionDispatched(case_id=CASE, dispatched_at=NOW, known_on=date(2026, 12, 4))]
    assert auto.record_dispatch(fold([*decided, *sent]), NOW) == []
