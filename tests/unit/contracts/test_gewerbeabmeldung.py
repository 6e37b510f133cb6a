"""Gewerbeabmeldung (GewA 3): why and since when a trade ends, refused in German where wrong."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.procedures import procedure
from contracts.procedures.gewerbeabmeldung import CessationReason, GewerbeabmeldungForm
from tests.unit.contracts.forms import form_data, refusal, schema_property, submit


def test_a_business_moving_to_another_town_is_deregistered_with_its_new_address() -> None:
    form = submit("gewerbeabmeldung")

    assert form.business.reason is CessationReason.VERLEGUNG
    assert form.business.new_address is not None
    assert form.business.new_address.city == "Grimma"


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"business__new_address": None}, ("business", "new_address"), "fehlt"),
        ({"business__reason": "tod"}, ("business", "reported_by"), "fehlt"),
        ({"business__reason": "pleite"}, ("business", "reason"), "zulässigen Werte"),
        ({"business__cessation_date": "2020-01-01"}, ("business", "cessation_date"), "zurück"),
        ({"business__cessation_date": "2030-01-01"}, ("business", "cessation_date"), "Zukunft"),
        ({"business__employees_full_time": -1}, ("business", "employees_full_time"), "mindest"),
        ({"trader__birth_date": "1850-01-01"}, ("trader", "birth_date"), "prüfen"),
    ],
)
def test_wrong_answers_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal("gewerbeabmeldung", **changes)

    assert found_loc == loc
    assert message in found_message


def test_a_given_up_business_needs_no_new_address_and_a_successor_is_optional() -> None:
    assert submit("gewerbeabmeldung", business__reason="aufgabe", business__new_address=None)
    assert submit("gewerbeabmeldung", business__reason="uebergabe", business__new_address=None)
    shown = schema_property(GewerbeabmeldungForm, "EndedBusiness", "successor")
    assert shown["x-show-if"] == {"field": "reason", "equals": "uebergabe"}


def test_after_a_death_the_reporting_person_is_the_contact() -> None:
    form = submit(
        "gewerbeabmeldung",
        business__reason="tod",
        business__new_address=None,
        business__reported_by="Konrad Quirinus",
    )

    contact = procedure("gewerbeabmeldung").contact(form)
    assert contact is not None
    assert contact.name == "Konrad Quirinus"
    assert contact.email == "hedwig.quirinus@example.org"


def test_a_stored_form_is_read_without_the_submission_checks() -> None:
    stored = form_data("gewerbeabmeldung", business__cessation_date="2001-01-01")

    assert GewerbeabmeldungForm.read(stored).business.cessation_date.year == 2001
