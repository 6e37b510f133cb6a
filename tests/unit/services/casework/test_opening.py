"""Opening a case: given no case yet, when an application arrives, then it is opened with its
deadline and either approved and closed automatically (the rules pass and the town allows a
fully automated decision), prepared for a clerk's confirmation, or referred with the rules
that failed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    RuleOutcome,
)
from services.casework.domain.opening import OpenCase, deadline_for, decide_opening, queue_name
from services.casework.domain.rules import Facts
from tests.support.applications import AUGUSTUSBURG, WURZEN, gewerbeanmeldung

APPLICATION = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
NOW = datetime(2026, 11, 20, 9, 15, 42, tzinfo=UTC)
FACTS = Facts(today=date(2026, 11, 20), town_postcodes=frozenset({"04808"}), town_name="Wurzen")

PASSED = [
    RuleOutcome(
        rule="applicant_must_be_of_age", passed=True, reason="Die anmeldende Person ist volljährig."
    ),
    RuleOutcome(
        rule="no_permit_requiring_trade",
        passed=True,
        reason="Keine erlaubnispflichtige Tätigkeit angegeben.",
    ),
    RuleOutcome(
        rule="craft_trade_needs_handwerksrolle_entry",
        passed=True,
        reason="Kein zulassungspflichtiges Handwerk oder Eintragung in die "
        "Handwerksrolle liegt vor.",
    ),
    RuleOutcome(
        rule="residence_title_must_allow_self_employment",
        passed=True,
        reason="Staatsangehörigkeit aus EU, EWR oder Schweiz: kein Aufenthaltstitel nötig.",
    ),
    RuleOutcome(
        rule="business_address_must_be_in_town",
        passed=True,
        reason="Die Betriebsstätte liegt in Wurzen.",
    ),
]
OPENED = CaseOpened(
    case_id=APPLICATION,
    application_id=APPLICATION,
    procedure="gewerbeanmeldung",
    competent_town=WURZEN,
    processing_towns=[WURZEN, AUGUSTUSBURG],
    opened_at=NOW,
    form_version=1,
    deadline=date(2026, 11, 25),  # three working days (§15 GewO): Mon, Tue, Wed
)


def open_case(
    form: dict[str, Any] | None,
    procedure: str = "gewerbeanmeldung",
    automation: Any = "full",
    **changes: Any,
) -> OpenCase:
    fields: dict[str, Any] = {
        "application_id": APPLICATION,
        "procedure": procedure,
        "form_version": 1,
        "competent_town": WURZEN,
        "processing_towns": [WURZEN, AUGUSTUSBURG],
        "form": form,
        "facts": FACTS,
        "now": NOW,
        "automation": automation,
    }
    return OpenCase(**{**fields, **changes})


def referred(*outcomes: RuleOutcome) -> CaseReferredToClerk:
    return CaseReferredToClerk(
        case_id=APPLICATION, queue="14729410:gewerbeanmeldung", rule_outcomes=list(outcomes)
    )


def test_an_application_passing_every_rule_is_approved_and_closed_at_once() -> None:
    events = decide_opening([], open_case(gewerbeanmeldung()["form"]))

    assert events == [
        OPENED,
        CaseDecided(
            case_id=APPLICATION,
            procedure="gewerbeanmeldung",
            outcome="approved",
            decided_by="automation",
            on_behalf_of=WURZEN,
            rule_outcomes=PASSED,
            conditions=[],
            decided_at=NOW,
        ),
        CaseClosed(case_id=APPLICATION, closed_at=NOW),
    ]


def test_an_application_failing_a_rule_is_referred_with_every_outcome() -> None:
    form = gewerbeanmeldung(form__business__regulated_activities=["34a"])["form"]

    events = decide_opening([], open_case(form))

    permit = RuleOutcome(
        rule="no_permit_requiring_trade",
        passed=False,
        reason="Erlaubnispflichtige Tätigkeit angegeben (§ 34a GewO); die Erlaubnis ist zu prüfen.",
    )
    assert events == [OPENED, referred(PASSED[0], permit, *PASSED[2:])]


def test_erased_application_data_is_referred_as_unreadable() -> None:
    events = decide_opening([], open_case(None))

    assert events == [
        OPENED,
        referred(
            RuleOutcome(
                rule="application_data_must_be_readable",
                passed=False,
                reason="Die Antragsdaten sind nicht lesbar (gelöscht).",
            )
        ),
    ]


def test_application_data_not_matching_the_form_is_referred_as_invalid() -> None:
    form = gewerbeanmeldung(form__declaration_truthful=False)["form"]

    events = decide_opening([], open_case(form))

    assert events == [
        OPENED,
        referred(
            RuleOutcome(
                rule="application_data_must_be_valid",
                passed=False,
                reason="Die Antragsdaten entsprechen nicht dem Formular.",
            )
        ),
    ]


def test_a_procedure_a_clerk_decides_is_referred_without_rules_and_its_deadline() -> None:
    events = decide_opening(
        [], open_case({"hund": "Bello"}, procedure="hundesteuer-anmeldung", processing_days=20)
    )

    assert events == [
        OPENED.model_copy(
            update={"procedure": "hundesteuer-anmeldung", "deadline": date(2026, 12, 18)}
        ),
        CaseReferredToClerk(
            case_id=APPLICATION, queue="14729410:hundesteuer-anmeldung", rule_outcomes=[]
        ),
    ]


def test_a_town_that_lets_the_check_prepare_gets_the_approval_to_confirm() -> None:
    events = decide_opening([], open_case(gewerbeanmeldung()["form"], automation="prepare"))

    assert events == [OPENED, referred(*PASSED).model_copy(update={"prepared": "approved"})]


def test_a_town_without_configuration_lets_no_case_be_decided_without_a_clerk() -> None:
    events = decide_opening([], open_case(gewerbeanmeldung()["form"], automation=None))

    assert [type(e) for e in events] == [CaseOpened, CaseReferredToClerk]
    assert events[1].prepared == "approved"  # type: ignore[attr-defined]


def test_an_urgent_traffic_order_is_marked_urgent() -> None:
    events = decide_opening(
        [], open_case({"urgent": True}, procedure="verkehrsrechtliche-anordnung")
    )

    assert events[0].urgent is True  # type: ignore[attr-defined]


def test_an_objection_goes_to_a_clerk_with_its_link_and_no_rules() -> None:
    first = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f11")
    events = decide_opening(
        [], open_case(None, form_version=None, objection_to=first, case_number="WUR-2026-000002")
    )

    assert events[0].objection_to == first  # type: ignore[attr-defined]
    assert events[1] == referred()


def test_deadlines_count_saxon_working_days() -> None:
    # Friday 30 October 2026; Reformationstag (31 Oct) is a Saturday, 2 Nov a Monday.
    assert deadline_for("gewerbeanmeldung", date(2026, 10, 30), None) == date(2026, 11, 4)
    # Buß- und Bettag (18 Nov 2026) is a holiday in Saxony.
    assert deadline_for("gewerbeanmeldung", date(2026, 11, 16), None) == date(2026, 11, 20)
    assert deadline_for("maengelmelder", date(2026, 11, 20), 2) == date(2026, 11, 24)


def test_a_case_already_opened_is_not_opened_again() -> None:
    history = decide_opening([], open_case(gewerbeanmeldung()["form"]))

    assert decide_opening(history, open_case(gewerbeanmeldung()["form"])) == []
    assert decide_opening(history[:1], open_case(None)) == []


def test_a_clerk_queue_is_named_by_town_and_procedure() -> None:
    assert queue_name(AUGUSTUSBURG, "gewerbeanmeldung") == "14522020:gewerbeanmeldung"
