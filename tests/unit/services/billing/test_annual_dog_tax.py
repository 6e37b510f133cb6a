"""A keeper's dog tax for a year from the register: one claim, in the statute's instalments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.events.casework import FeeBasis
from runtime.members import read_member_files
from services.billing.domain.annual_dog_tax import RegisteredDog, assess_keeper, kept_in_year
from services.billing.domain.dog_register import (
    DECIDED_EXEMPTION,
    deregistration,
    keeper_key,
    registration,
)
from services.billing.domain.dog_tax import KeptDog
from services.billing.domain.member_billing import read_billing
from tests.support.applications import WURZEN, hundesteuer_abmeldung, hundesteuer_anmeldung

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLAIM = UUID(int=7)


def wurzen_statutes() -> list:  # type: ignore[type-arg]
    [member] = [m for m in read_member_files("deploy/members") if m["town"]["ags"] == WURZEN]
    return list(read_billing(member).dog_tax)


def dog(name: str, since: date, until: date | None = None, **kind: object) -> RegisteredDog:
    return RegisteredDog(UUID(int=len(name)), KeptDog(name, since, until, **kind))  # type: ignore[arg-type]


def assess(*dogs: RegisteredDog, year: int = 2027, today: date = date(2026, 12, 1)):  # type: ignore[no-untyped-def]
    return assess_keeper(
        wurzen_statutes(),
        dogs,
        year=year,
        claim_id=CLAIM,
        keeper_key="k",
        cash_reference="14729410-2027-000001",
        direct_debit=True,
        mandate_reference="HST-1",
        now=NOW,
        today=today,
    )


def test_a_whole_year_of_one_dog_in_four_instalments() -> None:
    claim = assess(dog("Bello", date(2026, 11, 23)))
    assert claim is not None
    assert (claim.amount, claim.due_date, claim.procedure) == (
        Decimal("84.00"),
        date(2027, 2, 15),
        "hundesteuer",
    )
    assert [i.amount for i in claim.instalments] == [Decimal("21.00")] * 4
    assert (claim.produkt, claim.sachkonto, claim.year) == ("61.1.0.01", "40320000", 2027)
    assert claim.type_name == "billing.DogTaxAssessed"


def test_a_second_dog_and_a_part_year_and_the_clerks_exemption() -> None:
    both = assess(dog("Bello", date(2020, 1, 1)), dog("Rex", date(2027, 6, 10)))
    assert both is not None
    # Rex: July–December (full months) as a second dog: 168 × 6 / 12 = 84.
    assert both.amount == Decimal("168.00")
    exempt = assess(dog("Blindi", date(2020, 1, 1), exemption=DECIDED_EXEMPTION))
    assert exempt is None
    gone = dog("Alt", date(2020, 1, 1), date(2026, 12, 20))
    assert not kept_in_year(gone.dog, 2027)
    assert assess(gone) is None


def test_instalments_already_due_are_due_a_month_after_the_notice() -> None:
    late = assess(dog("Bello", date(2020, 1, 1)), today=date(2027, 6, 1))
    assert late is not None
    assert [(i.due, i.amount) for i in late.instalments] == [
        (date(2027, 7, 1), Decimal("42.00")),
        (date(2027, 8, 15), Decimal("21.00")),
        (date(2027, 11, 15), Decimal("21.00")),
    ]


def test_the_register_reads_the_forms_and_groups_a_keeper_by_pseudonym() -> None:
    form = hundesteuer_anmeldung()["form"]
    facts = registration(WURZEN, form, FeeBasis(rate_class="gefaehrlicher_hund"))
    assert (facts.name, facts.dangerous, facts.direct_debit, facts.exemption) == (
        "Bello",
        True,
        True,
        None,
    )
    same = {**form["keeper"], "address": {**form["keeper"]["address"], "street": "JACOBSPLATZ  5"}}
    assert keeper_key(WURZEN, same) == facts.keeper_key
    assert keeper_key("14522020", form["keeper"]) != facts.keeper_key
    assert "Quirinus" not in facts.keeper_key
    exempt = registration(WURZEN, form, FeeBasis(rate_class="befreit"))
    assert exempt.exemption == DECIDED_EXEMPTION
    ended = deregistration(hundesteuer_abmeldung(form__tag_number="1 27")["form"])
    assert ended.tag_number == "127"
