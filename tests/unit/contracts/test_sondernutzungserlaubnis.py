"""Sondernutzungserlaubnis: what, how many m², when and where; the conditions acknowledged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from contracts.procedures import procedure
from contracts.procedures.sondernutzungserlaubnis import SondernutzungserlaubnisForm, UseCategory
from tests.unit.contracts.forms import form_data, refusal, schema_property, submit

ID = "sondernutzungserlaubnis"


def test_a_scaffold_on_the_market_square_is_valid() -> None:
    form = submit(ID)

    assert form.use.category is UseCategory.GERUEST
    assert form.use.area_m2 == Decimal("18.00")
    assert form.period.days == 14
    place = procedure(ID).place(form)
    assert place is not None
    assert place.coordinates == ((51.3706, 12.7395),)


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"use__area_m2": "0"}, ("use", "area_m2"), "größer als 0"),
        ({"use__area_m2": "-3"}, ("use", "area_m2"), "größer als 0"),
        ({"use__area_m2": "5000.01"}, ("use", "area_m2"), "höchstens 5000"),
        ({"use__area_m2": "12.345"}, ("use", "area_m2"), "zwei Nachkommastellen"),
        ({"use__area_m2": "viel"}, ("use", "area_m2"), "Betrag"),
        ({"use__category": "sonstiges"}, ("use", "other_category"), "fehlt"),
        ({"use__category": "zirkus"}, ("use", "category"), "zulässigen Werte"),
        ({"location__point": None}, ("location", "point"), "Objekt"),
        ({"location__point__lon": 181}, ("location", "point", "lon"), "höchstens 180"),
        ({"period__start": "2026-06-01"}, ("period", "start"), "Vergangenheit"),
        ({"period__end": "2026-06-20"}, ("period", "end"), "nicht vor dem Beginn"),
        ({"conditions_acknowledged": False}, ("conditions_acknowledged",), "bestätigen"),
        ({"use__site_plan": "skizze.pdf"}, ("use", "site_plan"), "Kennung"),
    ],
)
def test_wrong_answers_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal(ID, **changes)

    assert found_loc == loc
    assert message in found_message


def test_an_area_may_be_a_number_and_other_uses_are_described() -> None:
    form = submit(ID, use__area_m2=2.5, use__category="sonstiges", use__other_category="Kran")

    assert form.use.area_m2 == Decimal("2.5")
    assert form.model_dump(mode="json")["use"]["area_m2"] == "2.5"
    shown = schema_property(SondernutzungserlaubnisForm, "Use", "other_category")
    assert shown["x-show-if"] == {"field": "category", "equals": "sonstiges"}


def test_a_private_person_applies_without_a_company() -> None:
    form = submit(ID, applicant__company=None)
    contact = procedure(ID).contact(form)

    assert contact is not None
    assert contact.name == "Konstantin Birnstiel"


def test_a_stored_form_is_read_without_the_submission_checks() -> None:
    stored = form_data(ID, period__start="2020-05-01", period__end="2020-04-01")

    assert SondernutzungserlaubnisForm.read(stored).period.start.year == 2020
