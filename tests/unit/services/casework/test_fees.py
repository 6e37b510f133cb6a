"""What a decision's fee basis carries for billing: the application's own facts complete it."""

from __future__ import annotations

from decimal import Decimal

from contracts.events.casework import FeeBasis
from services.casework.domain.fees import rate_class_row, with_application_facts

SCAFFOLD = {"use": {"category": "geruest", "area_m2": "12.5"}}


def test_a_special_use_is_priced_by_the_category_the_application_names() -> None:
    fee = FeeBasis(area_m2=Decimal("12.5"), days=14)
    completed = with_application_facts("sondernutzungserlaubnis", fee, SCAFFOLD)
    assert completed is not None
    assert completed.rate_class == "geruest"
    assert (completed.area_m2, completed.days) == (Decimal("12.5"), 14)


def test_what_the_clerk_chose_stands_and_other_procedures_are_left_alone() -> None:
    chosen = FeeBasis(area_m2=Decimal("3"), days=2, rate_class="container")
    assert with_application_facts("sondernutzungserlaubnis", chosen, SCAFFOLD) == chosen
    amount = FeeBasis(amount=Decimal("120.00"))
    assert with_application_facts("verkehrsrechtliche-anordnung", amount, SCAFFOLD) == amount
    assert with_application_facts("sondernutzungserlaubnis", None, SCAFFOLD) is None
    bare = FeeBasis(area_m2=Decimal("3"), days=2)
    assert with_application_facts("sondernutzungserlaubnis", bare, None) == bare
    assert with_application_facts("sondernutzungserlaubnis", bare, {"use": {}}) == bare


def test_a_rate_class_is_named_as_a_dogs_class_or_as_the_kind_of_use() -> None:
    assert rate_class_row("geruest") == ("Art der Nutzung", "Gerüst")
    assert rate_class_row("gefaehrlicher_hund") == (
        "Steuerklasse",
        "Gefährlicher Hund (Liste der Satzung)",
    )
