"""Bewohnerparkausweis: the vehicle's number, and a document when it is not the applicant's."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.procedures import procedure
from contracts.procedures.bewohnerparkausweis import (
    VALIDITY_DAYS,
    BewohnerparkausweisForm,
    VehicleUse,
)
from tests.unit.contracts.forms import refusal, schema_property, submit

ID = "bewohnerparkausweis"
DOCUMENT = "0190f3c4-0000-7000-8000-0000000000aa"


def test_the_holder_of_the_car_applies_without_a_document() -> None:
    form = submit(ID)

    assert form.vehicle.plate == "L-HQ 1988"
    assert form.vehicle.use is VehicleUse.HALTER
    assert form.vehicle.permission_document is None
    assert VALIDITY_DAYS == 365
    assert "ein Jahr" in procedure(ID).short_description


@pytest.mark.parametrize("use", ["firmenwagen", "leasing", "ueberlassen"])
def test_a_car_not_held_by_the_applicant_needs_the_permission_document(use: str) -> None:
    assert refusal(ID, vehicle__use=use) == (
        ("vehicle", "permission_document"),
        "Diese Angabe fehlt.",
    )
    form = submit(ID, vehicle__use=use, vehicle__permission_document=DOCUMENT)
    assert str(form.vehicle.permission_document) == DOCUMENT


def test_the_document_is_shown_for_anything_but_the_holder() -> None:
    shown = schema_property(BewohnerparkausweisForm, "Vehicle", "permission_document")

    assert shown["x-show-if"] == {"field": "use", "not_in": ["halter"]}
    assert shown["x-widget"] == "file"


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"vehicle__plate": "LAB1234"}, ("vehicle", "plate"), "„L-AB 1234“"),
        ({"vehicle__plate": "L-AB 12345"}, ("vehicle", "plate"), "„L-AB 1234“"),
        ({"vehicle__use": "geklaut"}, ("vehicle", "use"), "zulässigen Werte"),
        ({"parking_zone": ""}, ("parking_zone",), "Bitte füllen"),
        ({"main_residence": False}, ("main_residence",), "bestätigen"),
        ({"applicant__email": None}, ("applicant", "email"), "Text"),
        ({"applicant__address__street": "A\nB"}, ("applicant", "address", "street"), "Zeilen"),
    ],
)
def test_wrong_answers_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal(ID, **changes)

    assert found_loc == loc
    assert message in found_message


def test_the_number_is_stored_as_written_on_the_car() -> None:
    assert submit(ID, vehicle__plate="mtl x 12e").vehicle.plate == "MTL-X 12E"
