"""The rules under which a Gewerbeanmeldung is registered automatically (§14 GewO).

Each rule is a function named as the sentence it checks. Its name is what the case records
as the reason, with a German explanation a clerk (and the applicant) can read. The texts
name no person: they are stored in the log unencrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from contracts.events.casework import RuleOutcome
from contracts.procedures.gewerbeanmeldung import EU_EEA_CH, GewerbeanmeldungForm

ADULT_AGE = 18


@dataclass(frozen=True)
class Facts:
    """What the rules look at besides the form."""

    today: date
    town_postcodes: frozenset[str]
    town_name: str


Rule = Callable[[GewerbeanmeldungForm, Facts], RuleOutcome]


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def applicant_must_be_of_age(form: GewerbeanmeldungForm, facts: Facts) -> RuleOutcome:
    """Minors need the family court's permission (§112 BGB): a clerk checks it."""
    adult = _age_on(form.applicant.birth_date, facts.today) >= ADULT_AGE
    return RuleOutcome(
        rule="applicant_must_be_of_age",
        passed=adult,
        reason="Die anmeldende Person ist volljährig."
        if adult
        else "Die anmeldende Person ist minderjährig; die Genehmigung des Familiengerichts "
        "(§ 112 BGB) ist zu prüfen.",
    )


def no_permit_requiring_trade(form: GewerbeanmeldungForm, facts: Facts) -> RuleOutcome:
    """Trades needing a permit (§§ 33i, 34, 34a, 34c, 34d, 34f, 34i GewO, Gaststätte)."""
    listed = [activity.value for activity in form.business.regulated_activities]
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


def craft_trade_needs_handwerksrolle_entry(form: GewerbeanmeldungForm, facts: Facts) -> RuleOutcome:
    """A craft trade needs the entry in the Handwerksrolle (§1 HwO)."""
    business = form.business
    passed = not business.craft_trade or business.handwerksrolle_entry
    return RuleOutcome(
        rule="craft_trade_needs_handwerksrolle_entry",
        passed=passed,
        reason="Kein zulassungspflichtiges Handwerk oder Eintragung in die Handwerksrolle "
        "liegt vor."
        if passed
        else "Handwerk ohne Eintragung in die Handwerksrolle; die Eintragung ist nachzuweisen.",
    )


def residence_title_must_allow_self_employment(
    form: GewerbeanmeldungForm, facts: Facts
) -> RuleOutcome:
    """Outside EU, EEA and Switzerland the residence title must allow self-employment."""
    applicant = form.applicant
    free = applicant.nationality in EU_EEA_CH
    passed = free or applicant.residence_permit_allows_self_employment is True
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


def business_address_must_be_in_town(form: GewerbeanmeldungForm, facts: Facts) -> RuleOutcome:
    """Only the town where the business is located is competent (§14 GewO)."""
    passed = form.business.address.postcode in facts.town_postcodes
    return RuleOutcome(
        rule="business_address_must_be_in_town",
        passed=passed,
        reason=f"Die Betriebsstätte liegt in {facts.town_name}."
        if passed
        else f"Die Postleitzahl der Betriebsstätte gehört nicht zu {facts.town_name}; "
        "die Zuständigkeit ist zu prüfen.",
    )


RULES: tuple[Rule, ...] = (
    applicant_must_be_of_age,
    no_permit_requiring_trade,
    craft_trade_needs_handwerksrolle_entry,
    residence_title_must_allow_self_employment,
    business_address_must_be_in_town,
)


def evaluate(form: GewerbeanmeldungForm, facts: Facts) -> list[RuleOutcome]:
    """Every rule's outcome, in a fixed order."""
    return [rule(form, facts) for rule in RULES]
