"""Opening a case: given no case yet, when an application arrives, then it is opened and
either approved and closed automatically or referred to the competent town's clerks."""

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
from services.casework.domain.case import OpenCase, decide_opening, queue_name
from services.casework.domain.gewerbeanmeldung_rules import Facts
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
)


def open_case(form: dict[str, Any] | None, procedure: str = "gewerbeanmeldung") -> OpenCase:
    return OpenCase(
        application_id=APPLICATION,
        procedure=procedure,
        competent_town=WURZEN,
        processing_towns=[WURZEN, AUGUSTUSBURG],
        form=form,
        facts=FACTS,
        now=NOW,
    )


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


def test_a_procedure_without_automation_is_referred_to_its_own_queue() -> None:
    events = decide_opening([], open_case({"hund": "Bello"}, procedure="hundeanmeldung"))

    assert events == [
        OPENED.model_copy(update={"procedure": "hundeanmeldung"}),
        CaseReferredToClerk(
            case_id=APPLICATION,
            queue="14729410:hundeanmeldung",
            rule_outcomes=[
                RuleOutcome(
                    rule="procedure_must_be_automated",
                    passed=False,
                    reason="Für dieses Verfahren gibt es keine automatische Entscheidung.",
                )
            ],
        ),
    ]


def test_a_case_already_opened_is_not_opened_again() -> None:
    history = decide_opening([], open_case(gewerbeanmeldung()["form"]))

    assert decide_opening(history, open_case(gewerbeanmeldung()["form"])) == []
    assert decide_opening(history[:1], open_case(None)) == []


def test_a_clerk_queue_is_named_by_town_and_procedure() -> None:
    assert queue_name(AUGUSTUSBURG, "gewerbeanmeldung") == "14522020:gewerbeanmeldung"
