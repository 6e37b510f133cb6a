"""Hundesteuer An- und Abmeldung: the dog, a certificate for a dangerous one, a SEPA mandate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.procedures.hundesteuer_abmeldung import HundesteuerAbmeldungForm
from contracts.procedures.hundesteuer_anmeldung import HundesteuerAnmeldungForm
from tests.unit.contracts.forms import form_data, refusal, schema_property, submit

AN, AB = "hundesteuer-anmeldung", "hundesteuer-abmeldung"
CERTIFICATE = "0190f3c4-0000-7000-8000-0000000000dd"


def test_a_dog_is_registered_with_a_sepa_mandate() -> None:
    form = submit(AN)

    assert form.dog.name == "Bello"
    assert form.mandate is not None
    assert form.mandate.iban == "DE89370400440532013000"
    assert form.mandate.bic is None


def test_a_listed_dangerous_dog_needs_the_certificate() -> None:
    assert refusal(AN, dog__dangerous_breed=True) == (("dog", "certificate"), "Diese Angabe fehlt.")
    form = submit(AN, dog__dangerous_breed=True, dog__certificate=CERTIFICATE)
    assert str(form.dog.certificate) == CERTIFICATE
    shown = schema_property(HundesteuerAnmeldungForm, "Dog", "certificate")
    assert shown["x-show-if"] == {"field": "dangerous_breed", "equals": True}


def test_without_direct_debit_no_mandate_is_asked() -> None:
    assert submit(AN, direct_debit=False, mandate=None).mandate is None
    assert refusal(AN, mandate=None) == (("mandate",), "Diese Angabe fehlt.")


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"mandate__iban": "DE89 3704 0044 0532 0130 01"}, ("mandate", "iban"), "IBAN"),
        ({"mandate__bic": "COBADEFFXX"}, ("mandate", "bic"), "BIC"),
        ({"mandate__mandate_granted": False}, ("mandate", "mandate_granted"), "bestätigen"),
        ({"dog__born": "2027-01-01"}, ("dog", "born"), "nicht in der Zukunft"),
        ({"dog__born": "1980-01-01"}, ("dog", "born"), "Bitte prüfen"),
        ({"dog__kept_since": "2019-01-01"}, ("dog", "kept_since"), "zu weit zurück"),
        ({"dog__kept_since": "2024-01-01"}, ("dog", "kept_since"), "vor seiner Geburt"),
        ({"dog__chip_number": "1234"}, ("dog", "chip_number"), "15 Ziffern"),
        ({"other_dogs": 21}, ("other_dogs",), "höchstens 20"),
        ({"keeper__email": "a@b"}, ("keeper", "email"), "gültige E-Mail-Adresse"),
    ],
)
def test_wrong_registrations_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal(AN, **changes)

    assert found_loc == loc
    assert message in found_message


def test_a_bic_is_optional_but_checked_and_a_chip_number_may_have_spaces() -> None:
    form = submit(AN, mandate__bic="cobadeffxxx", dog__chip_number="276 098 100 123 456")

    assert form.mandate is not None
    assert form.mandate.bic == "COBADEFFXXX"
    assert form.dog.chip_number == "276098100123456"


def test_a_dog_given_away_names_its_new_keeper() -> None:
    form = submit(AB)

    assert form.new_keeper is not None
    assert form.new_keeper.name == "Konstantin Birnstiel"
    assert form.tag_number == "127"


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"new_keeper": None}, ("new_keeper",), "fehlt"),
        ({"reason": "wegzug", "new_keeper": None}, ("new_address",), "fehlt"),
        ({"reason": "verloren"}, ("reason",), "zulässigen Werte"),
        ({"tag_number": "#1"}, ("tag_number",), "Hundesteuermarke"),
        ({"ended_on": "2025-01-01"}, ("ended_on",), "zu weit zurück"),
        ({"ended_on": "2027-01-01"}, ("ended_on",), "zu weit in der Zukunft"),
    ],
)
def test_wrong_deregistrations_are_refused_at_their_field_in_german(
    changes: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal(AB, **changes)

    assert found_loc == loc
    assert message in found_message


def test_a_dog_that_died_needs_neither_a_new_keeper_nor_an_address() -> None:
    form = submit(AB, reason="verstorben", new_keeper=None)

    assert form.new_keeper is None
    assert form.new_address is None


def test_stored_forms_are_read_without_the_submission_checks() -> None:
    registered = form_data(AN, dog__born="1970-01-01", dog__kept_since="1969-01-01")
    ended = form_data(AB, ended_on="2001-02-03")

    assert HundesteuerAnmeldungForm.read(registered).dog.born == date(1970, 1, 1)
    assert HundesteuerAbmeldungForm.read(ended).ended_on == date(2001, 2, 3)
