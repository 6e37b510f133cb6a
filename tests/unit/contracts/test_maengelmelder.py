"""Mängelmelder: a point is required, a contact only if the reporter wants updates."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.procedures import procedure
from contracts.procedures.maengelmelder import DefectCategory, MaengelmelderForm, contact
from tests.unit.contracts.forms import refusal, schema_property, submit

ID = "maengelmelder"


def test_a_pothole_reported_with_a_wish_for_updates_names_the_reporter() -> None:
    form = submit(ID)

    assert form.category is DefectCategory.SCHLAGLOCH
    found = contact(form)
    assert found is not None
    assert found.email == "hedwig.quirinus@example.org"


def test_an_anonymous_report_has_no_contact() -> None:
    form = submit(ID, wants_updates=False, reporter=None)

    assert contact(form) is None
    assert procedure(ID).contact(form) is None


def test_a_reporter_given_without_the_wish_for_updates_gets_none() -> None:
    """Ticking the box is the consent to be written to."""
    assert contact(submit(ID, wants_updates=False)) is None


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"point": None}, ("point",), "Objekt"),
        ({"point__lat": -91}, ("point", "lat"), "mindestens -90"),
        ({"point__lon": "ost"}, ("point", "lon"), "Zahl"),
        ({"reporter": None}, ("reporter",), "fehlt"),
        ({"reporter__email": "ich@"}, ("reporter", "email"), "gültige E-Mail-Adresse"),
        ({"category": "laerm"}, ("category",), "zulässigen Werte"),
        ({"description": "x"}, ("description",), "Bitte füllen"),
        ({"description": "y" * 2001}, ("description",), "höchstens 2000"),
        ({"photo": "a.jpg"}, ("photo",), "unbekannt"),
    ],
)
def test_wrong_reports_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal(ID, **changes)

    assert found_loc == loc
    assert message in found_message


def test_the_contact_is_shown_only_to_who_wants_updates_and_photos_are_images() -> None:
    shown = schema_property(MaengelmelderForm, "MaengelmelderForm", "reporter")
    definition = procedure(ID)

    assert shown["x-show-if"] == {"field": "wants_updates", "equals": True}
    assert definition.attachments.content_types == {"image/jpeg", "image/png"}
    assert definition.place_may_be_elsewhere
