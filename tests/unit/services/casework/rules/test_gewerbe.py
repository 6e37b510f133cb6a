"""The rules of automatic trade registration, each passing and failing with its reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.events.casework import RuleOutcome
from services.casework.domain.rules.base import Facts
from services.casework.domain.rules.gewerbe import (
    Trade,
    applicant_must_be_of_age,
    business_address_must_be_in_town,
    craft_trade_needs_handwerksrolle_entry,
    evaluate,
    no_permit_requiring_trade,
    residence_title_must_allow_self_employment,
    trade_of,
)
from tests.support.applications import gewerbeanmeldung

WURZEN = Facts(today=date(2026, 6, 15), town_postcodes=frozenset({"04808"}), town_name="Wurzen")
MINOR = (
    "Die anmeldende Person ist minderjährig; die Genehmigung des Familiengerichts "
    "(§ 112 BGB) ist zu prüfen."
)
ADULT = "Die anmeldende Person ist volljährig."
NOT_PROVEN = "Es ist nicht belegt, dass der Aufenthaltstitel eine selbständige Tätigkeit erlaubt."
FREE = "Staatsangehörigkeit aus EU, EWR oder Schweiz: kein Aufenthaltstitel nötig."
PERMITTED = "Der Aufenthaltstitel erlaubt nach Angabe eine selbständige Tätigkeit."


def form(**changes: Any) -> Trade:
    """The example Gewerbeanmeldung with ``applicant__…`` / ``business__…`` changes."""
    body = gewerbeanmeldung(**{f"form__{path}": value for path, value in changes.items()})
    return trade_of("gewerbeanmeldung", 1, body["form"])  # as casework reads a stored one


def on(day: date) -> Facts:
    return Facts(today=day, town_postcodes=WURZEN.town_postcodes, town_name="Wurzen")


def test_a_complete_application_passes_every_rule_in_a_fixed_order() -> None:
    assert evaluate(form(), WURZEN) == [
        RuleOutcome(rule="applicant_must_be_of_age", passed=True, reason=ADULT),
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
        RuleOutcome(rule="residence_title_must_allow_self_employment", passed=True, reason=FREE),
        RuleOutcome(
            rule="business_address_must_be_in_town",
            passed=True,
            reason="Die Betriebsstätte liegt in Wurzen.",
        ),
    ]


def test_an_applicant_whose_18th_birthday_is_today_is_of_age() -> None:
    outcome = applicant_must_be_of_age(form(applicant__birth_date="2008-06-15"), WURZEN)

    assert outcome == RuleOutcome(rule="applicant_must_be_of_age", passed=True, reason=ADULT)


def test_an_applicant_whose_18th_birthday_is_tomorrow_is_a_minor() -> None:
    outcome = applicant_must_be_of_age(form(applicant__birth_date="2008-06-16"), WURZEN)

    assert outcome == RuleOutcome(rule="applicant_must_be_of_age", passed=False, reason=MINOR)


@pytest.mark.parametrize(
    ("today", "adult"),
    [(date(2026, 2, 28), False), (date(2026, 3, 1), True), (date(2028, 2, 29), True)],
)
def test_an_applicant_born_on_29_february_comes_of_age_on_1_march(today: date, adult: bool) -> None:
    outcome = applicant_must_be_of_age(form(applicant__birth_date="2008-02-29"), on(today))

    assert outcome.passed is adult


def test_a_trade_needing_a_permit_names_its_paragraph() -> None:
    outcome = no_permit_requiring_trade(form(business__regulated_activities=["34a"]), WURZEN)

    assert outcome == RuleOutcome(
        rule="no_permit_requiring_trade",
        passed=False,
        reason="Erlaubnispflichtige Tätigkeit angegeben (§ 34a GewO); die Erlaubnis ist zu prüfen.",
    )


def test_several_trades_needing_a_permit_are_all_named_and_a_restaurant_by_its_licence() -> None:
    outcome = no_permit_requiring_trade(
        form(business__regulated_activities=["34c", "gaststaette", "33i"]), WURZEN
    )

    assert outcome.passed is False
    assert outcome.reason == (
        "Erlaubnispflichtige Tätigkeit angegeben (§ 34c GewO, Gaststättenerlaubnis, "
        "§ 33i GewO); die Erlaubnis ist zu prüfen."
    )


@pytest.mark.parametrize(
    ("craft_trade", "entry", "passed"),
    [(False, False, True), (True, True, True), (False, True, True), (True, False, False)],
)
def test_a_craft_trade_needs_its_handwerksrolle_entry(
    craft_trade: bool, entry: bool, passed: bool
) -> None:
    outcome = craft_trade_needs_handwerksrolle_entry(
        form(business__craft_trade=craft_trade, business__handwerksrolle_entry=entry), WURZEN
    )

    assert outcome == RuleOutcome(
        rule="craft_trade_needs_handwerksrolle_entry",
        passed=passed,
        reason="Kein zulassungspflichtiges Handwerk oder Eintragung in die Handwerksrolle "
        "liegt vor."
        if passed
        else "Handwerk ohne Eintragung in die Handwerksrolle; die Eintragung ist nachzuweisen.",
    )


@pytest.mark.parametrize(
    ("nationality", "permit", "passed", "reason"),
    [
        ("DE", None, True, FREE),
        ("PL", None, True, FREE),
        ("GR", None, True, FREE),
        ("NO", None, True, FREE),
        ("CH", None, True, FREE),
        ("AT", False, True, FREE),
        ("UA", True, True, PERMITTED),
        ("UA", None, False, NOT_PROVEN),
        ("TR", False, False, NOT_PROVEN),
        ("GB", None, False, NOT_PROVEN),
        ("US", True, True, PERMITTED),
    ],
)
def test_outside_eu_eea_and_switzerland_the_residence_title_must_allow_self_employment(
    nationality: str, permit: bool | None, passed: bool, reason: str
) -> None:
    outcome = residence_title_must_allow_self_employment(
        form(
            applicant__nationality=nationality,
            applicant__residence_permit_allows_self_employment=permit,
        ),
        WURZEN,
    )

    assert outcome == RuleOutcome(
        rule="residence_title_must_allow_self_employment", passed=passed, reason=reason
    )


def test_a_business_in_the_town_passes_the_competence_rule() -> None:
    facts = Facts(
        today=WURZEN.today, town_postcodes=frozenset({"04808", "04821"}), town_name="Wurzen"
    )

    outcome = business_address_must_be_in_town(form(business__address__postcode="04821"), facts)

    assert outcome == RuleOutcome(
        rule="business_address_must_be_in_town",
        passed=True,
        reason="Die Betriebsstätte liegt in Wurzen.",
    )


def test_a_business_outside_the_town_is_referred_for_the_competence_check() -> None:
    outcome = business_address_must_be_in_town(
        form(
            business__address={
                "street": "Marktplatz 11",
                "postcode": "09573",
                "city": "Augustusburg",
            }
        ),
        WURZEN,
    )

    assert outcome == RuleOutcome(
        rule="business_address_must_be_in_town",
        passed=False,
        reason="Die Postleitzahl der Betriebsstätte gehört nicht zu Wurzen; die Zuständigkeit "
        "ist zu prüfen.",
    )


def test_the_home_address_does_not_decide_competence() -> None:
    outcome = business_address_must_be_in_town(
        form(
            applicant__address={
                "street": "Karl-Liebknecht-Str. 1",
                "postcode": "04109",
                "city": "Leipzig",
            }
        ),
        WURZEN,
    )

    assert outcome.passed is True


def test_a_town_without_known_postcodes_is_competent_for_no_address() -> None:
    facts = Facts(today=WURZEN.today, town_postcodes=frozenset(), town_name="14729410")

    outcome = business_address_must_be_in_town(form(), facts)

    assert outcome.passed is False
    assert outcome.reason == (
        "Die Postleitzahl der Betriebsstätte gehört nicht zu 14729410; die Zuständigkeit "
        "ist zu prüfen."
    )


def test_every_rule_is_evaluated_even_when_several_fail() -> None:
    outcomes = evaluate(
        form(
            applicant__birth_date="2010-01-01",
            business__regulated_activities=["34"],
            business__address__postcode="09573",
        ),
        WURZEN,
    )

    assert [(o.rule, o.passed) for o in outcomes] == [
        ("applicant_must_be_of_age", False),
        ("no_permit_requiring_trade", False),
        ("craft_trade_needs_handwerksrolle_entry", True),
        ("residence_title_must_allow_self_employment", True),
        ("business_address_must_be_in_town", False),
    ]
    assert outcomes[1].reason == (
        "Erlaubnispflichtige Tätigkeit angegeben (§ 34 GewO); die Erlaubnis ist zu prüfen."
    )


def _change(activity_change: str) -> list[RuleOutcome]:
    from services.casework.domain.rules.gewerbe import UMMELDUNG
    from tests.support.applications import gewerbeummeldung

    form = gewerbeummeldung(form__business__activity_change=activity_change)["form"]
    return UMMELDUNG.evaluate(1, form, WURZEN)


@pytest.mark.parametrize(("change", "passes"), [("keine", True), ("einschraenkung", True)])
def test_a_change_that_keeps_or_narrows_the_activity_passes(change: str, passes: bool) -> None:
    found = {o.rule: o.passed for o in _change(change)}
    assert found == {
        "applicant_must_be_of_age": True,
        "changed_activity_needs_no_permit_check": passes,
        "business_address_must_be_in_town": True,
    }


@pytest.mark.parametrize("change", ["erweiterung", "wechsel"])
def test_an_extended_or_changed_activity_is_checked_by_a_clerk(change: str) -> None:
    found = {o.rule: o for o in _change(change)}
    outcome = found["changed_activity_needs_no_permit_check"]
    assert not outcome.passed
    assert outcome.reason == (
        "Die Tätigkeit wird erweitert oder geändert; eine Erlaubnispflicht ist zu prüfen."
    )


def test_a_cessation_only_checks_competence() -> None:
    from services.casework.domain.rules.gewerbe import ABMELDUNG
    from tests.support.applications import gewerbeabmeldung

    found = ABMELDUNG.evaluate(1, gewerbeabmeldung()["form"], WURZEN)
    assert [(o.rule, o.passed) for o in found] == [("business_address_must_be_in_town", True)]


def test_the_second_form_version_reads_into_the_same_rules() -> None:
    from services.casework.domain.rules.gewerbe import ANMELDUNG
    from tests.unit.contracts.test_gewerbeanmeldung_v2 import v2

    passed = ANMELDUNG.evaluate(2, v2(), WURZEN)
    assert all(o.passed for o in passed), passed
    craft = ANMELDUNG.evaluate(
        2, v2(business__craft_trade=True, business__handwerksrolle_number="HWK-123"), WURZEN
    )
    assert all(o.passed for o in craft)
    missing = ANMELDUNG.evaluate(2, v2(business__craft_trade=True), WURZEN)
    assert [o.rule for o in missing if not o.passed] == ["craft_trade_needs_handwerksrolle_entry"]
