"""Member files' billing sections: every town's loads, and a mistake names town and field."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from contracts.procedures import ProcedureId
from runtime.members import read_member_files
from services.billing.domain.member_billing import (
    BillingSectionInvalid,
    adopted,
    read_billing,
)
from services.billing.domain.schedule_versions import valid_on
from tests.support.applications import WURZEN

MEMBERS = Path(__file__).resolve().parents[4] / "deploy" / "members"
FILES = read_member_files(MEMBERS)
DOG_TAX = {ProcedureId.HUNDESTEUER_ANMELDUNG, ProcedureId.HUNDESTEUER_ABMELDUNG}


def wurzen() -> dict[str, Any]:
    return copy.deepcopy(next(m for m in FILES if m["town"]["ags"] == WURZEN))


def refusal(member: dict[str, Any]) -> str:
    with pytest.raises(BillingSectionInvalid) as refused:
        read_billing(member)
    return str(refused.value)


def test_there_are_eighteen_member_files() -> None:
    assert len(FILES) == 18


@pytest.mark.parametrize("member", FILES, ids=[m["town"]["name"] for m in FILES])
def test_every_member_file_states_a_schedule_and_a_dog_tax(member: dict[str, Any]) -> None:
    section = read_billing(member)
    offered = set(member["intake"]["procedures"])

    assert section.schedules, "no Verwaltungskostensatzung"
    assert not section.fees, "the older flat form is not used any more"
    for version in section.schedules:
        assert set(version.items) <= offered, "prices a procedure the town does not offer"
    if DOG_TAX & offered:
        assert section.dog_tax, "offers the dog-tax procedures without a Hundesteuersatzung"
    for statute in section.dog_tax:
        rates = statute.rates
        assert rates.first <= rates.second <= rates.further <= rates.dangerous


@pytest.mark.parametrize("member", FILES, ids=[m["town"]["name"] for m in FILES])
def test_every_town_s_schedule_in_force_prices_its_fee_bearing_procedures(
    member: dict[str, Any],
) -> None:
    section = read_billing(member)
    in_force = valid_on(section.schedules, date(2026, 11, 30))

    assert in_force is not None
    gewerbe = {"gewerbeanmeldung", "gewerbeummeldung", "gewerbeabmeldung"}
    assert gewerbe <= set(in_force.items)


def test_the_towns_schedules_differ() -> None:
    first_dogs = {read_billing(m).dog_tax[-1].rates.first for m in FILES}
    registrations = {
        read_billing(m).schedules[-1].items["gewerbeanmeldung"].amount  # type: ignore[union-attr]
        for m in FILES
    }

    assert len(first_dogs) > 5
    assert len(registrations) > 10


def test_a_mistake_names_the_town_and_the_field() -> None:
    member = wurzen()
    items = member["billing"]["schedules"][1]["items"]
    items["gewerbeanmeldung"]["amount"] = "26.005"
    items["verkehrsrechtliche-anordnung"]["maximum"] = "5.00"
    member["billing"]["dog_tax"][0]["due_days"] = ["02-30"]

    message = refusal(member)

    assert message.startswith("Wurzen (14729410): the [billing] section of the member file")
    assert "billing.schedules[1].items.gewerbeanmeldung.amount: Decimal input should have no" in (
        message
    )
    assert "billing.schedules[1].items.verkehrsrechtliche-anordnung: Value error, minimum" in (
        message
    )
    assert "billing.dog_tax[0].due_days[0]: Value error, day is out of range" in message


def test_a_missing_rate_is_named() -> None:
    member = wurzen()
    del member["billing"]["dog_tax"][1]["rates"]["dangerous"]

    assert "billing.dog_tax[1].rates.dangerous: Field required" in refusal(member)


def test_a_procedure_the_suite_does_not_know_is_refused() -> None:
    member = wurzen()
    items = member["billing"]["schedules"][0]["items"]
    items["hundeanmeldung"] = items["gewerbeanmeldung"]

    assert "schedules[0].items.hundeanmeldung: no procedure of the suite has this id" in (
        refusal(member)
    )


def test_a_category_of_use_the_form_does_not_know_is_refused() -> None:
    member = wurzen()
    rates = member["billing"]["schedules"][0]["items"]["sondernutzungserlaubnis"]["rates"]
    rates["kran"] = {"rate": "1.00", "per": "day"}

    assert "the form knows no category ['kran']" in refusal(member)


def test_versions_out_of_order_are_refused() -> None:
    member = wurzen()
    member["billing"]["schedules"].reverse()

    assert "versions must follow each other by valid_from" in refusal(member)


def test_the_older_flat_form_is_still_read_but_not_together_with_schedules() -> None:
    older = {
        "town": {"ags": WURZEN, "name": "Wurzen"},
        "billing": {"fees": {"gewerbeanmeldung": "26"}},
    }

    schedule = adopted(read_billing(older), WURZEN, date(2026, 11, 30))

    assert schedule.fees == {"gewerbeanmeldung": Decimal("26.00")}
    assert str(schedule.fees["gewerbeanmeldung"]) == "26.00"
    assert schedule.versions == []
    both = wurzen()
    both["billing"]["fees"] = {"gewerbeanmeldung": "26.00"}
    assert "fees and schedules both given" in refusal(both)


def test_keys_other_parts_of_billing_read_are_left_to_them() -> None:
    member = wurzen()
    member["billing"]["letterhead"] = {"logo": "wappen.svg"}

    assert read_billing(member) == read_billing(wurzen())


@pytest.mark.parametrize("member", FILES, ids=[m["town"]["name"] for m in FILES])
def test_every_town_names_the_account_its_fees_are_paid_to(member: dict[str, Any]) -> None:
    account = read_billing(member).account

    assert account is not None
    assert account.holder in (
        f"Stadtkasse {member['town']['name']}",
        f"Gemeindekasse {member['town']['name']}",
    )
    assert account.iban.startswith("DE")
    assert " " not in account.iban
    assert len(account.bic) in (8, 11)


def test_the_accounts_differ_between_towns() -> None:
    ibans = {read_billing(member).account.iban for member in FILES}  # type: ignore[union-attr]

    assert len(ibans) == len(FILES)


def test_an_iban_with_a_wrong_check_sum_is_named() -> None:
    member = wurzen()
    member["billing"]["account"]["iban"] = "DE52 8605 5592 0000 7294 10"
    member["billing"]["account"]["bic"] = "WELADE"

    message = refusal(member)

    assert "billing.account.iban: Value error, Bitte prüfen Sie die IBAN" in message
    assert "billing.account.bic: Value error, Bitte prüfen Sie die BIC" in message


def test_the_account_goes_into_the_schedule_adopted() -> None:
    section = read_billing(wurzen())

    account = adopted(section, WURZEN, date(2026, 11, 30)).account

    assert account is not None
    assert (account.holder, account.iban) == ("Stadtkasse Wurzen", "DE51860555920000729410")


def test_the_schedule_adopted_carries_every_version_and_today_s_flat_fees() -> None:
    section = read_billing(wurzen())

    before = adopted(section, WURZEN, date(2024, 6, 1))
    after = adopted(section, WURZEN, date(2026, 11, 30))

    assert before.versions == after.versions == section.schedules
    assert after.dog_tax == section.dog_tax
    assert before.fees["gewerbeanmeldung"] == Decimal("24.00")
    assert after.fees["gewerbeanmeldung"] == Decimal("26.00")  # the walking skeleton's fee
    assert "verkehrsrechtliche-anordnung" not in after.fees  # a range is no one amount
