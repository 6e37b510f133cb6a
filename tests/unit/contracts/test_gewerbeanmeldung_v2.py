"""Gewerbeanmeldung form version 2, and version 1 beside it: old applications stay readable."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.procedures import FORMS, ProcedureId, procedure
from contracts.procedures.gewerbeanmeldung import GewerbeanmeldungForm
from contracts.procedures.gewerbeanmeldung_v2 import GewerbeanmeldungFormV2, Reason
from contracts.procedures.gewerbeanmeldung_v3 import GewerbeanmeldungFormV3
from tests.unit.contracts.forms import ON, form_data, refusals, schema_property


def v2(**changes: Any) -> dict[str, Any]:
    """The version-1 example, completed to version 2 (GewA 1's further fields), with changes."""
    form = form_data("gewerbeanmeldung")
    form["applicant"] |= {"birth_place": "Wurzen", "sex": "weiblich"}
    form["business"] |= {"email": "info@quirinus-webdesign.example", "sideline": True}
    del form["business"]["handwerksrolle_entry"]
    for path, value in changes.items():
        target = form
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return form


def refused(**changes: Any) -> dict[tuple[Any, ...], str]:
    return refusals(GewerbeanmeldungFormV2, v2(**changes))


def test_both_versions_are_registered_beside_version_3() -> None:
    definition = procedure("gewerbeanmeldung")

    assert FORMS[ProcedureId.GEWERBEANMELDUNG] == {
        1: GewerbeanmeldungForm,
        2: GewerbeanmeldungFormV2,
        3: GewerbeanmeldungFormV3,
    }
    assert definition.current_version == 3  # version 2 and the optional e-invoice


def test_a_version_1_and_a_version_2_form_both_validate_and_read_back() -> None:
    first = GewerbeanmeldungForm.model_validate(
        form_data("gewerbeanmeldung"), context={"today": ON}
    )
    second = GewerbeanmeldungFormV2.model_validate(v2(), context={"today": ON})

    stored_first = first.model_dump(mode="json")
    stored_second = second.model_dump(mode="json")
    assert procedure("gewerbeanmeldung").form(1).read(stored_first) == first
    assert procedure("gewerbeanmeldung").form(2).read(stored_second) == second
    assert second.applicant.birth_place == "Wurzen"
    assert second.business.reason is Reason.NEUGRUENDUNG
    assert "handwerksrolle_entry" in stored_first["business"]
    assert "handwerksrolle_number" in stored_second["business"]


def test_a_stored_version_1_form_is_no_version_2_form() -> None:
    """Each stored form is read with the version it was submitted under, never another."""
    stored = GewerbeanmeldungForm.read(form_data("gewerbeanmeldung")).model_dump(mode="json")

    with pytest.raises(ValueError, match="birth_place"):
        GewerbeanmeldungFormV2.read(stored)


def test_both_versions_name_the_same_contact() -> None:
    definition = procedure("gewerbeanmeldung")
    first = GewerbeanmeldungForm.read(form_data("gewerbeanmeldung"))
    second = GewerbeanmeldungFormV2.read(v2())

    assert definition.contact(first) == definition.contact(second)


def test_a_craft_trade_asks_for_the_handwerksrolle_number() -> None:
    assert refused(business__craft_trade=True) == {
        ("business", "handwerksrolle_number"): "Diese Angabe fehlt."
    }
    form = GewerbeanmeldungFormV2.model_validate(
        v2(business__craft_trade=True, business__handwerksrolle_number="HWK-L 12345"),
        context={"today": ON},
    )
    assert form.business.handwerksrolle_number == "HWK-L 12345"
    shown = schema_property(GewerbeanmeldungFormV2, "BusinessV2", "handwerksrolle_number")
    assert shown["x-show-if"] == {"field": "craft_trade", "equals": True}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"business__establishment": "zweigniederlassung"}, "main_establishment_address"),
        ({"business__establishment": "unselbstaendige_zweigstelle"}, "main_establishment_address"),
        ({"business__reason": "uebernahme"}, "previous_owner"),
    ],
)
def test_a_branch_asks_for_the_main_establishment_and_a_takeover_for_the_owner(
    changes: dict[str, Any], field: str
) -> None:
    assert refused(**changes) == {("business", field): "Diese Angabe fehlt."}


def test_the_register_entry_is_shown_to_companies_but_not_required() -> None:
    form = GewerbeanmeldungFormV2.model_validate(
        v2(business__legal_form="gmbh"), context={"today": ON}
    )
    assert form.business.register_entry is None
    shown = schema_property(GewerbeanmeldungFormV2, "BusinessV2", "register_entry")
    assert shown["x-show-if"] == {"field": "legal_form", "one_of": ["ug", "gmbh"]}


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"applicant__birth_date": "2020-01-01"}, ("applicant", "birth_date"), "volljährig"),
        ({"applicant__birth_date": "1800-01-01"}, ("applicant", "birth_date"), "prüfen"),
        ({"applicant__birth_place": ""}, ("applicant", "birth_place"), "Bitte füllen"),
        ({"applicant__sex": "x"}, ("applicant", "sex"), "zulässigen Werte"),
        ({"business__email": "info@"}, ("business", "email"), "gültige E-Mail-Adresse"),
        ({"business__start_date": "1990-01-01"}, ("business", "start_date"), "zurück"),
        ({"business__start_date": "2999-01-01"}, ("business", "start_date"), "höchstens ein"),
        ({"business__activity": "x"}, ("business", "activity"), "Bitte füllen"),
        ({"declaration_truthful": False}, ("declaration_truthful",), "bestätigen"),
    ],
)
def test_wrong_answers_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found = refused(**changes)

    assert list(found) == [loc]
    assert message in found[loc]


def test_a_stored_version_2_form_is_read_without_the_submission_checks() -> None:
    stored = v2(business__start_date="1990-01-01", applicant__birth_date="2020-01-01")

    assert GewerbeanmeldungFormV2.read(stored).business.start_date.year == 1990
