"""The Leitweg-ID check: the member towns' ids pass, a changed digit fails, and of the official
test invoices exactly the six the data README names carry a buyer reference that fails."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.billing.einvoices.leitweg import check_digits, leitweg_problem
from tests.unit.services.billing.einvoices.suite import INVOICES, name

MEMBERS = Path(__file__).resolve().parents[5] / "deploy" / "members"


def member_ids() -> list[str]:
    towns = [tomllib.loads(p.read_text())["town"] for p in sorted(MEMBERS.glob("*.toml"))]
    return [town["leitweg_id"] for town in towns]


def test_every_member_towns_leitweg_id_is_well_formed_with_correct_check_digits() -> None:
    ids = member_ids()
    assert len(ids) == len(list(MEMBERS.glob("*.toml"))) >= 10
    assert {i: leitweg_problem(i) for i in ids} == dict.fromkeys(ids)


@pytest.mark.parametrize("position", [0, 5, 11, 13, 16])
def test_any_digit_changed_fails_the_check(position: int) -> None:
    valid = "145220020020-0001-71"  # Augustusburg
    changed = valid[:position] + str((int(valid[position]) + 1) % 10) + valid[position + 1 :]
    problem = leitweg_problem(changed)
    assert problem is not None
    assert "Prüfziffern" in problem


def test_two_digits_swapped_fail_the_check() -> None:
    assert leitweg_problem("145220020020-0001-17") is not None
    assert leitweg_problem("142520020020-0001-71") is not None


def test_the_check_digits_are_computed_mod_97_10() -> None:
    assert check_digits("145220020020", "0001") == "71"
    assert check_digits("991", "33333TEST") == "33"  # letters count A=10 … Z=35
    assert leitweg_problem("991-33333test-33") is None  # upper and lower case alike


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("", "fehlt"),
        ("Leitweg-ID", "Form"),
        ("1-0001-71", "Form"),  # a coarse address has at least 2 digits
        ("1234567890123-0001-71", "Form"),  # and at most 12
        ("14522002-00_1-71", "Form"),
        ("145220020020-0001-7", "Form"),
        ("1" * 12 + "-" + "A" * 31 + "-00", "länger"),
    ],
)
def test_malformed_ids_say_what_is_wrong(value: str, word: str) -> None:
    problem = leitweg_problem(value)
    assert problem is not None
    assert word in problem


def buyer_reference(path: Path) -> str:
    root = etree.parse(str(path)).getroot()
    found = root.xpath("string(//*[local-name()='BuyerReference'][1])")
    return str(found)


def test_six_official_test_invoices_carry_a_buyer_reference_that_fails_the_check() -> None:
    failing = {name(p): buyer_reference(p) for p in INVOICES if leitweg_problem(buyer_reference(p))}
    assert failing == {
        "business-cases/extension/04.05a-INVOICE_uncefact.xml": "Leitweg-ID",
        "business-cases/extension/05.01a-INVOICE_ubl.xml": "04011000-12345-34",
        "business-cases/standard/01.06a-INVOICE_ubl.xml": "99000000-01944-98",
        "business-cases/standard/01.06a-INVOICE_uncefact.xml": "99000000-01944-98",
        "business-cases/standard/01.07a-INVOICE_ubl.xml": "99000000-05676-98",
        "business-cases/standard/01.07a-INVOICE_uncefact.xml": "99000000-05676-98",
    }
    assert len(failing) == 6
