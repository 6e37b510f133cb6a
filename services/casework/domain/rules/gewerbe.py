"""The rules under which a trade notice is registered automatically (§14 GewO, GewA 1/2/3).

Each rule is a function named as the sentence it checks. Its name is what the case records
as the reason, with a German explanation a clerk (and the applicant) can read. The texts
name no person: they are stored in the log unencrypted.

The rules read a ``Trade`` — what they need, taken from whichever form version was filed —
so a new version of a form changes the reading, not the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.events.casework import RuleOutcome
from contracts.procedures import procedure
from contracts.procedures.gewerbe import EU_EEA_CH, RegulatedActivity
from services.casework.domain.rules.base import Facts, RuleSet

ADULT_AGE = 18


@dataclass(frozen=True)
class Trade:
    """What the trade rules look at, from any version of the three trade forms."""

    birth_date: date
    nationality: str | None
    residence_permit: bool | None
    regulated: tuple[RegulatedActivity, ...]
    craft_trade: bool
    craft_registered: bool
    business_postcode: str
    activity_change: str | None = None


Rule = Callable[[Trade, Facts], RuleOutcome]


def trade_of(procedure_id: str, version: int, data: dict[str, Any]) -> Trade:
    """Read a stored trade form of any version into what the rules need."""
    form: Any = procedure(procedure_id).form(version).read(data)
    person = getattr(form, "applicant", None) or form.trader
    business = form.business
    return Trade(
        birth_date=person.birth_date,
        nationality=getattr(person, "nationality", None),
        residence_permit=getattr(person, "residence_permit_allows_self_employment", None),
        regulated=tuple(getattr(business, "regulated_activities", ())),
        craft_trade=bool(getattr(business, "craft_trade", False)),
        craft_registered=bool(
            getattr(business, "handwerksrolle_entry", False)
            or getattr(business, "handwerksrolle_number", None)
        ),
        business_postcode=business.address.postcode,
        activity_change=getattr(getattr(business, "activity_change", None), "value", None),
    )


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def applicant_must_be_of_age(trade: Trade, facts: Facts) -> RuleOutcome:
    """Minors need the family court's permission (§112 BGB): a clerk checks it."""
    adult = _age_on(trade.birth_date, facts.today) >= ADULT_AGE
    return RuleOutcome(
        rule="applicant_must_be_of_age",
        passed=adult,
        reason="Die anmeldende Person ist volljährig."
        if adult
        else "Die anmeldende Person ist minderjährig; die Genehmigung des Familiengerichts "
        "(§ 112 BGB) ist zu prüfen.",
    )


def no_permit_requiring_trade(trade: Trade, facts: Facts) -> RuleOutcome:
    """Trades needing a permit (§§ 33i, 34, 34a, 34c, 34d, 34f, 34i GewO, Gaststätte)."""
    listed = [activity.value for activity in trade.regulated]
    return RuleOutcome(
        rule="no_permit_requiring_trade",
        passed=not listed,
        reason="Keine erlaubnispflichtige Tätigkeit angegeben."
        if not listed
        else "Erlaubnispflichtige Tätigkeit angegeben ("
        + ", ".join(
            f"§ {value} GewO" if value != "gaststaette" else "Gaststättenerlaubnis"
            for value in listed
        )
        + "); die Erlaubnis ist zu prüfen.",
    )


def craft_trade_needs_handwerksrolle_entry(trade: Trade, facts: Facts) -> RuleOutcome:
    """A craft trade needs the entry in the Handwerksrolle (§1 HwO)."""
    passed = not trade.craft_trade or trade.craft_registered
    return RuleOutcome(
        rule="craft_trade_needs_handwerksrolle_entry",
        passed=passed,
        reason="Kein zulassungspflichtiges Handwerk oder Eintragung in die Handwerksrolle "
        "liegt vor."
        if passed
        else "Handwerk ohne Eintragung in die Handwerksrolle; die Eintragung ist nachzuweisen.",
    )


def residence_title_must_allow_self_employment(trade: Trade, facts: Facts) -> RuleOutcome:
    """Outside EU, EEA and Switzerland the residence title must allow self-employment."""
    free = trade.nationality in EU_EEA_CH
    passed = free or trade.residence_permit is True
    if free:
        reason = "Staatsangehörigkeit aus EU, EWR oder Schweiz: kein Aufenthaltstitel nötig."
    elif passed:
        reason = "Der Aufenthaltstitel erlaubt nach Angabe eine selbständige Tätigkeit."
    else:
        reason = (
            "Es ist nicht belegt, dass der Aufenthaltstitel eine selbständige Tätigkeit erlaubt."
        )
    return RuleOutcome(
        rule="residence_title_must_allow_self_employment", passed=passed, reason=reason
    )


def business_address_must_be_in_town(trade: Trade, facts: Facts) -> RuleOutcome:
    """Only the town where the business is located is competent (§14 GewO)."""
    passed = trade.business_postcode in facts.town_postcodes
    return RuleOutcome(
        rule="business_address_must_be_in_town",
        passed=passed,
        reason=f"Die Betriebsstätte liegt in {facts.town_name}."
        if passed
        else f"Die Postleitzahl der Betriebsstätte gehört nicht zu {facts.town_name}; "
        "die Zuständigkeit ist zu prüfen.",
    )


def changed_activity_needs_no_permit_check(trade: Trade, facts: Facts) -> RuleOutcome:
    """An extended or changed activity may need a permit: a clerk looks at the new one."""
    passed = trade.activity_change in (None, "keine", "einschraenkung")
    return RuleOutcome(
        rule="changed_activity_needs_no_permit_check",
        passed=passed,
        reason="Die Tätigkeit bleibt oder wird eingeschränkt."
        if passed
        else "Die Tätigkeit wird erweitert oder geändert; eine Erlaubnispflicht ist zu prüfen.",
    )


REGISTRATION: tuple[Rule, ...] = (
    applicant_must_be_of_age,
    no_permit_requiring_trade,
    craft_trade_needs_handwerksrolle_entry,
    residence_title_must_allow_self_employment,
    business_address_must_be_in_town,
)
CHANGE: tuple[Rule, ...] = (
    applicant_must_be_of_age,
    changed_activity_needs_no_permit_check,
    business_address_must_be_in_town,
)
CESSATION: tuple[Rule, ...] = (business_address_must_be_in_town,)


def evaluate(
    trade: Trade, facts: Facts, rules: tuple[Rule, ...] = REGISTRATION
) -> list[RuleOutcome]:
    """Every rule's outcome, in a fixed order."""
    return [rule(trade, facts) for rule in rules]


def _rule_set(procedure_id: str, rules: tuple[Rule, ...]) -> RuleSet:
    def run(version: int, data: dict[str, Any], facts: Facts) -> list[RuleOutcome]:
        return evaluate(trade_of(procedure_id, version, data), facts, rules)

    return RuleSet(automatable=True, evaluate=run)


ANMELDUNG = _rule_set("gewerbeanmeldung", REGISTRATION)
UMMELDUNG = _rule_set("gewerbeummeldung", CHANGE)
ABMELDUNG = _rule_set("gewerbeabmeldung", CESSATION)
