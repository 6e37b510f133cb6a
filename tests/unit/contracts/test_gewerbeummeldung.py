"""Gewerbeummeldung (GewA 2): what changes and since when, refused in German where wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.procedures.gewerbeummeldung import ActivityChange, GewerbeummeldungForm
from tests.unit.contracts.forms import ON, form_data, refusal, schema_property, submit


def test_a_move_in_town_with_an_extended_activity_is_valid() -> None:
    form = submit("gewerbeummeldung")

    assert form.business.relocated
    assert form.business.activity_change is ActivityChange.ERWEITERUNG
    assert form.business.change_date == date(2026, 6, 22)


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        (
            {"business__relocated": False, "business__activity_change": "keine"},
            ("business", "activity_change"),
            "Bitte geben Sie an, was sich ändert: die Anschrift oder die Tätigkeit.",
        ),
        ({"business__previous_address": None}, ("business", "previous_address"), "fehlt"),
        ({"business__previous_activity": None}, ("business", "previous_activity"), "fehlt"),
        ({"business__change_date": "2025-01-01"}, ("business", "change_date"), "zu weit zurück"),
        ({"business__change_date": "2027-07-01"}, ("business", "change_date"), "zu weit in"),
        ({"business__activity_change": "mehr"}, ("business", "activity_change"), "zulässigen"),
        ({"trader__birth_date": "2030-01-01"}, ("trader", "birth_date"), "nicht in der Zukunft"),
        ({"trader__email": "hedwig@"}, ("trader", "email"), "gültige E-Mail-Adresse"),
        ({"trader__family_name": "www.x.de"}, ("trader", "family_name"), "nur Buchstaben"),
        ({"business__address__postcode": "4808"}, ("business", "address", "postcode"), "Format"),
    ],
)
def test_wrong_answers_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal("gewerbeummeldung", **changes)

    assert found_loc == loc
    assert message in found_message


def test_a_change_of_activity_alone_needs_no_previous_address() -> None:
    form = submit("gewerbeummeldung", business__relocated=False, business__previous_address=None)
    assert form.business.previous_address is None


def test_the_conditions_are_published_for_the_widget() -> None:
    moved = schema_property(GewerbeummeldungForm, "ChangedBusiness", "previous_address")
    before = schema_property(GewerbeummeldungForm, "ChangedBusiness", "previous_activity")

    assert moved["x-show-if"] == {"field": "relocated", "equals": True}
    assert before["x-show-if"] == {"field": "activity_change", "not_in": ["keine"]}
    assert before["x-widget"] == "textarea"


def test_a_stored_form_is_read_without_the_submission_checks() -> None:
    stored = form_data(
        "gewerbeummeldung",
        business__change_date="1999-01-01",
        business__relocated=False,
        business__activity_change="keine",
    )
    assert GewerbeummeldungForm.read(stored).business.change_date.year == 1999
    assert ON.year == 2026
