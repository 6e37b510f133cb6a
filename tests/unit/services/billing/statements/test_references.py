"""Kassenzeichen are found however payers and banks write them, and nothing else is."""

from __future__ import annotations

import pytest

from services.billing.domain.fees import cash_reference
from services.billing.statements.references import find_references, is_without_town
from tests.support.applications import AUGUSTUSBURG, WURZEN

KZ = "14729410-2026-000123"


def test_the_kassenzeichen_billing_makes_is_found_as_it_is() -> None:
    made = cash_reference(WURZEN, 2026, 123)
    assert find_references([f"Gebühr {made}"]) == (made,)
    assert made == KZ


@pytest.mark.parametrize(
    "text",
    [
        "KASSENZEICHEN 14729410-2026-000123",
        "kassenzeichen: 14729410-2026-000123",
        "14729410 2026 000123",
        "14729410 - 2026 - 000123",
        "147294102026000123",
        "14729410.2026.000123",
        "14729410/2026/000123",
        "1472 9410 2026 0001 23",
        "SVWZ+KZ14729410-2026-000123 GEWERBE",
        "Gebuehr 14729410-2026-000123, vielen Dank",
    ],
)
def test_spaces_hyphens_and_grouping_do_not_matter(text: str) -> None:
    assert find_references([text]) == (KZ,)


def test_a_kassenzeichen_wrapped_by_the_bank_is_found_across_lines() -> None:
    assert find_references(["TEILZAHLUNG KASSENZEICHEN 14729410-2026-00", "0123 DANKE"]) == (KZ,)


def test_several_kassenzeichen_come_in_the_order_written() -> None:
    text = "KZ 14729410-2026-000125 und 14729410 2026 000124, 14522020-2026-000001"
    assert find_references([text]) == (
        "14729410-2026-000125",
        "14729410-2026-000124",
        f"{AUGUSTUSBURG}-2026-000001",
    )


def test_two_kassenzeichen_separated_by_a_space_are_two() -> None:
    assert find_references(["14729410-2026-000123 14729410-2026-000124"]) == (
        KZ,
        "14729410-2026-000124",
    )


def test_a_kassenzeichen_named_twice_is_found_once() -> None:
    assert find_references([KZ, f"nochmals {KZ}"]) == (KZ,)


@pytest.mark.parametrize(
    "text",
    ["Kassenzeichen 2026-000123", "KZ: 2026 000123", "kz.2026000123", "KASSENZ. NR 2026-000123"],
)
def test_without_the_town_after_the_word_kassenzeichen(text: str) -> None:
    (found,) = find_references([text])
    assert found == "2026-000123"
    assert is_without_town(found)
    assert not is_without_town(KZ)


def test_the_order_holds_between_short_and_full_ones() -> None:
    assert find_references(["Kassenzeichen 2026-000124 und 14729410-2026-000123"]) == (
        "2026-000124",
        KZ,
    )


@pytest.mark.parametrize(
    "text",
    [
        "IBAN DE89 3704 0044 0532 0130 00",
        "Rechnung 2026-000123",
        "1472941020260001234",
        "4147294102026000123",
        "14729410-2026-00012",
        "Miete November Garage 7",
        "Kundennummer 1234567890 vom 20.11.2026",
    ],
)
def test_other_numbers_are_no_kassenzeichen(text: str) -> None:
    assert find_references([text]) == ()
