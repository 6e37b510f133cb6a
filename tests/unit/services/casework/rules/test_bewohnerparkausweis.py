"""The resident parking rules: main residence in the zone, the applicant holds the vehicle,
one permit per vehicle — each passing and failing with its German reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.casework.domain.rules.base import Facts, street_key
from services.casework.domain.rules.bewohnerparkausweis import evaluate
from tests.support.applications import bewohnerparkausweis

ZONES = {"Altstadt": frozenset({street_key("Jacobsplatz"), street_key("Domgasse")})}
WURZEN = Facts(
    today=date(2026, 11, 30),
    town_postcodes=frozenset({"04808"}),
    town_name="Wurzen",
    parking_zones=ZONES,
)


def outcomes(facts: Facts = WURZEN, **changes: Any) -> dict[str, tuple[bool, str]]:
    form = bewohnerparkausweis(**{f"form__{k}": v for k, v in changes.items()})["form"]
    return {o.rule: (o.passed, o.reason) for o in evaluate(1, form, facts)}


def test_a_resident_of_the_zone_holding_the_car_passes_every_rule_in_order() -> None:
    found = outcomes()
    assert list(found) == [
        "main_residence_must_be_in_zone",
        "applicant_must_hold_vehicle",
        "one_permit_per_vehicle",
    ]
    assert all(passed for passed, _ in found.values())
    assert found["main_residence_must_be_in_zone"][1] == (
        "Die Hauptwohnung liegt im Bewohnerparkgebiet „Altstadt“."
    )


@pytest.mark.parametrize(
    "street", ["Jacobsplatz 5", "jacobsplatz 5a", "Jacobsplatz 5 b", "Domgasse 12"]
)
def test_house_numbers_and_case_do_not_matter(street: str) -> None:
    address = {"street": street, "postcode": "04808", "city": "Wurzen"}
    assert outcomes(applicant__address=address)["main_residence_must_be_in_zone"][0]


def test_an_address_outside_the_zone_fails_with_the_zone_named() -> None:
    address = {"street": "Lüptitzer Straße 40", "postcode": "04808", "city": "Wurzen"}
    passed, reason = outcomes(applicant__address=address)["main_residence_must_be_in_zone"]
    assert not passed
    assert reason == "Die angegebene Wohnanschrift liegt nicht im Bewohnerparkgebiet „Altstadt“."


def test_a_zone_the_town_does_not_have_fails() -> None:
    passed, reason = outcomes(parking_zone="Neustadt")["main_residence_must_be_in_zone"]
    assert not passed
    assert reason == "Wurzen hat kein Bewohnerparkgebiet dieses Namens."


def test_the_same_street_in_another_town_is_not_in_the_zone() -> None:
    address = {"street": "Jacobsplatz 5", "postcode": "04109", "city": "Leipzig"}
    assert not outcomes(applicant__address=address)["main_residence_must_be_in_zone"][0]


def test_a_company_car_needs_its_document_looked_at() -> None:
    vehicle = {"plate": "L-HQ 1988", "use": "firmenwagen", "permission_document": None}
    passed, reason = outcomes(vehicle=vehicle)["applicant_must_hold_vehicle"]
    assert not passed
    assert "Nachweis ist zu prüfen" in reason


def test_a_second_application_for_the_same_vehicle_fails() -> None:
    facts = Facts(**{**WURZEN.__dict__, "plate_applied_for": True})
    passed, reason = outcomes(facts)["one_permit_per_vehicle"]
    assert not passed
    assert "bereits ein Bewohnerparkausweis beantragt" in reason


@pytest.mark.parametrize(
    ("street", "key"),
    [
        ("Jacobsplatz 5", "jacobsplatz"),
        ("Straße des Friedens 3", "str des friedens"),
        ("Albert-Kuntz-Strasse 12 b", "albert-kuntz-str"),
        ("Markt", "markt"),
    ],
)
def test_streets_are_compared_by_name(street: str, key: str) -> None:
    assert street_key(street) == key
