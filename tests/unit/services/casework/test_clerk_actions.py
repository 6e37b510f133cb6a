"""What clerks do with a case: given its events, when a clerk acts, then these events — or a
refusal naming why, and nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.events.casework import (
    AutomatedRuleOverruled,
    CaseClaimed,
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    Clerk,
    FeeBasis,
    HeardBody,
    HearingDeadlinePassed,
    RuleOutcome,
)
from services.casework.domain import clerk_actions as act
from services.casework.domain.case import Case, fold
from services.casework.domain.refusals import Refused

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
HEARING = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f20")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WURZEN, AUGUSTUSBURG = "14729410", "14522020"
ANTON = Clerk(id="anton", name="Anton Augst", town=AUGUSTUSBURG)
WENZEL = Clerk(id="wenzel", name="Wenzel Wurzner", town=WURZEN)
STALE = timedelta(hours=72)
FAILED = RuleOutcome(rule="no_permit_requiring_trade", passed=False, reason="§ 34a")
POLICE = HeardBody(name="Polizeirevier Grimma", email="polizei@example.org")


def opened(procedure: str = "gewerbeanmeldung", *outcomes: RuleOutcome) -> list[DomainEvent]:
    return [
        CaseOpened(
            case_id=CASE,
            application_id=CASE,
            procedure=procedure,
            competent_town=WURZEN,
            processing_towns=[WURZEN, AUGUSTUSBURG],
            opened_at=NOW,
            deadline=date(2026, 12, 3),
        ),
        CaseReferredToClerk(
            case_id=CASE, queue=f"{WURZEN}:{procedure}", rule_outcomes=list(outcomes)
        ),
    ]


def claimed_by(clerk: Clerk, at: datetime = NOW, *outcomes: RuleOutcome) -> Case:
    history = [
        *opened("gewerbeanmeldung", *outcomes),
        CaseClaimed(case_id=CASE, clerk=clerk, claimed_at=at),
    ]
    return fold(history)


def refusal(call: object) -> Refused:
    with pytest.raises(Refused) as caught:
        call()  # type: ignore[operator]
    return caught.value


def test_a_queued_case_is_claimed_and_a_second_claim_of_the_same_clerk_changes_nothing() -> None:
    case = fold(opened())
    events = act.claim(case, ANTON, NOW, supervisor=False, stale_after=STALE)
    assert events == [CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW)]
    assert (
        act.claim(fold([*opened(), *events]), ANTON, NOW, supervisor=False, stale_after=STALE) == []
    )


def test_a_claimed_case_is_refused_to_another_clerk_by_name() -> None:
    found = refusal(
        lambda: act.claim(claimed_by(ANTON), WENZEL, NOW, supervisor=False, stale_after=STALE)
    )
    assert (found.code, found.conflict) == ("claimed_by_other", True)
    assert found.message == "Der Vorgang wird bereits von Anton Augst bearbeitet."


def test_a_supervisor_takes_over_only_a_claim_older_than_the_towns_limit() -> None:
    case = claimed_by(ANTON, NOW - timedelta(hours=71))
    refusal(lambda: act.claim(case, WENZEL, NOW, supervisor=True, stale_after=STALE))
    old = claimed_by(ANTON, NOW - timedelta(hours=72))
    assert act.claim(old, WENZEL, NOW, supervisor=True, stale_after=STALE) == [
        CaseClaimed(case_id=CASE, clerk=WENZEL, claimed_at=NOW, taken_over_from=ANTON)
    ]
    refusal(lambda: act.claim(old, WENZEL, NOW, supervisor=False, stale_after=STALE))


def test_an_approval_waits_for_failed_rules_to_be_overruled_with_a_reason() -> None:
    case = claimed_by(ANTON, NOW, FAILED)
    found = refusal(
        lambda: act.decide(
            case, ANTON, outcome="approved", conditions=[], reasons=[], fee=None, now=NOW
        )
    )
    assert found.code == "rules_failed"
    assert "no_permit_requiring_trade" in found.message
    assert refusal(lambda: act.overrule(case, ANTON, FAILED.rule, " ", NOW)).field == "reason"
    overruled = act.overrule(case, ANTON, FAILED.rule, "Erlaubnis liegt vor.", NOW)
    assert overruled == [
        AutomatedRuleOverruled(
            case_id=CASE,
            rule=FAILED.rule,
            reason="Erlaubnis liegt vor.",
            by=ANTON,
            overruled_at=NOW,
        )
    ]
    after = fold(
        [
            *opened("gewerbeanmeldung", FAILED),
            CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW),
            *overruled,
        ]
    )
    decided = act.decide(
        after,
        ANTON,
        outcome="approved",
        conditions=[" Auflage A ", ""],
        reasons=[],
        fee=None,
        now=NOW,
    )
    assert [type(e) for e in decided] == [CaseDecided, CaseClosed]
    decision = decided[0]
    assert isinstance(decision, CaseDecided)
    assert (decision.on_behalf_of, decision.clerk, decision.decided_by) == (
        WURZEN,
        ANTON,
        "clerk:anton@14522020",
    )
    assert decision.conditions == ["Auflage A"]
    assert (
        refusal(lambda: act.overrule(after, ANTON, FAILED.rule, "noch einmal", NOW)).field == "rule"
    )


def test_a_rejection_needs_reasons_and_only_the_holder_decides() -> None:
    case = claimed_by(ANTON)
    assert (
        refusal(
            lambda: act.decide(
                case, ANTON, outcome="rejected", conditions=[], reasons=["  "], fee=None, now=NOW
            )
        ).field
        == "reasons"
    )
    other = refusal(
        lambda: act.decide(
            case, WENZEL, outcome="rejected", conditions=[], reasons=["x"], fee=None, now=NOW
        )
    )
    assert other.message == "Der Vorgang wird von Anton Augst bearbeitet."
    unclaimed = refusal(
        lambda: act.decide(
            fold(opened()),
            ANTON,
            outcome="rejected",
            conditions=[],
            reasons=["x"],
            fee=None,
            now=NOW,
        )
    )
    assert unclaimed.code == "not_claimed"


def test_a_decided_case_takes_no_more_commands() -> None:
    case = claimed_by(ANTON)
    history = [
        *opened(),
        CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW),
        *act.decide(
            case, ANTON, outcome="rejected", conditions=[], reasons=["Nein."], fee=None, now=NOW
        ),
    ]
    decided = fold(history)
    for command in (
        lambda: act.claim(decided, WENZEL, NOW, supervisor=True, stale_after=STALE),
        lambda: act.release(decided, ANTON, NOW, supervisor=False),
        lambda: act.request_information(decided, ANTON, CASE, "?", date(2026, 12, 10), NOW),
    ):
        assert refusal(command).code == "decided"


def test_a_stale_version_is_refused() -> None:
    case = claimed_by(ANTON)
    act.check_version(case, case.version)
    assert refusal(lambda: act.check_version(case, case.version - 1)).code == "stale"


def test_the_decision_waits_for_a_running_hearing_but_not_for_one_past_its_deadline() -> None:
    case = claimed_by(ANTON)
    heard = act.request_hearing(
        case,
        ANTON,
        hearing_id=HEARING,
        body_id="polizei",
        body=POLICE,
        subject="Sperrung",
        due=date(2026, 12, 14),
        now=NOW,
        answer_url=None,
    )
    base = [*opened(), CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW), *heard]
    hearing = fold(base)
    assert hearing.status == "hearing"
    assert (
        refusal(
            lambda: act.request_hearing(
                hearing,
                ANTON,
                hearing_id=CASE,
                body_id="polizei",
                body=POLICE,
                subject="x",
                due=date(2026, 12, 14),
                now=NOW,
                answer_url=None,
            )
        ).code
        == "hearing_running"
    )
    found = refusal(
        lambda: act.decide(
            hearing, ANTON, outcome="rejected", conditions=[], reasons=["x"], fee=None, now=NOW
        )
    )
    assert found.message == "Die Anhörung von Polizeirevier Grimma läuft noch bis 14.12.2026."
    passed = fold(
        [
            *base,
            HearingDeadlinePassed(
                case_id=CASE, hearing_id=HEARING, due=date(2026, 12, 14), noted_at=NOW
            ),
        ]
    )
    assert passed.status == "in_review"
    assert act.decide(
        passed, ANTON, outcome="rejected", conditions=[], reasons=["x"], fee=None, now=NOW
    )


def test_a_body_answers_once() -> None:
    case = claimed_by(ANTON)
    heard = act.request_hearing(
        case,
        ANTON,
        hearing_id=HEARING,
        body_id="polizei",
        body=POLICE,
        subject="Sperrung",
        due=date(2026, 12, 14),
        now=NOW,
        answer_url=None,
    )
    history = [*opened(), CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW), *heard]
    answer = act.answer_hearing(
        fold(history),
        HEARING,
        verdict="zustimmung",
        statement="",
        conditions=["A"],
        recorded_by="body:polizei",
        now=NOW,
    )
    twice = refusal(
        lambda: act.answer_hearing(
            fold([*history, *answer]),
            HEARING,
            verdict="ablehnung",
            statement="",
            conditions=[],
            recorded_by="body:polizei",
            now=NOW,
        )
    )
    assert twice.message == "Die Stellungnahme von Polizeirevier Grimma liegt bereits vor."


def test_a_traffic_order_carries_the_fee_the_clerk_fixed_within_the_gebost_range() -> None:
    history = [
        *opened("verkehrsrechtliche-anordnung"),
        CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW),
    ]
    case = fold(history)
    assert (
        refusal(
            lambda: act.decide(
                case, ANTON, outcome="approved", conditions=[], reasons=[], fee=None, now=NOW
            )
        ).field
        == "fee.amount"
    )
    too_high = FeeBasis(amount=Decimal("767.01"))
    assert (
        refusal(
            lambda: act.decide(
                case, ANTON, outcome="approved", conditions=[], reasons=[], fee=too_high, now=NOW
            )
        ).code
        == "fee_out_of_range"
    )
    fixed = act.decide(
        case,
        ANTON,
        outcome="approved",
        conditions=[],
        reasons=[],
        fee=FeeBasis(amount=Decimal("120.00")),
        now=NOW,
    )
    assert isinstance(fixed[0], CaseDecided)
    assert fixed[0].fee == FeeBasis(amount=Decimal("120.00"))
    # A rejection needs no fee basis.
    assert act.decide(
        case, ANTON, outcome="rejected", conditions=[], reasons=["Nein."], fee=None, now=NOW
    )


def test_a_prepared_decision_is_confirmed_with_one_action() -> None:
    prepared = [
        *opened()[:1],
        CaseReferredToClerk(case_id=CASE, queue="q", rule_outcomes=[], prepared="approved"),
        CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW),
    ]
    events = act.confirm_prepared(fold(prepared), ANTON, NOW)
    assert isinstance(events[0], CaseDecided)
    assert events[0].outcome == "approved"
    assert (
        refusal(lambda: act.confirm_prepared(claimed_by(ANTON), ANTON, NOW)).code
        == "nothing_prepared"
    )


def test_moving_names_the_competent_town_first_and_a_same_move_changes_nothing() -> None:
    case = fold(opened())
    moved = act.move(case, ["14729380", WURZEN], "operator:x", "Neue Vereinbarung", NOW)
    assert moved[0].processing_towns == [WURZEN, "14729380"]  # type: ignore[attr-defined]
    assert act.move(case, [AUGUSTUSBURG], "operator:x", "", NOW) == []


def test_only_a_defect_report_gets_status_reports() -> None:
    refused = refusal(lambda: act.report_status(claimed_by(ANTON), ANTON, "behoben", "", NOW))
    assert refused.code == "not_a_report"
    report = fold(
        [*opened("maengelmelder"), CaseClaimed(case_id=CASE, clerk=ANTON, claimed_at=NOW)]
    )
    reported = act.report_status(report, ANTON, "behoben", "Laterne getauscht.", NOW)
    assert [e.type_name for e in reported] == ["casework.StatusReported"]
