"""Shared value types: registration numbers, IBAN, BIC and e-mail addresses, in German."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.values import Bic, EmailAddress, Iban, Plate, PostalAddress
from runtime.http import german_message


def refused(kind: Any, value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    [error] = caught.value.errors()
    return german_message(dict(error))


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("L-AB 1234", "L-AB 1234"),
        ("MTL-X 12E", "MTL-X 12E"),
        ("B-AB 123H", "B-AB 123H"),
        ("l-ab 12", "L-AB 12"),  # as typed on a phone
        ("L AB 1234", "L-AB 1234"),  # a space for the hyphen
        ("L-AB1234", "L-AB 1234"),
        ("  MTL - X 1  ", None),  # spaces around the hyphen: refused below, not guessed
        ("LÖ-A 1", "LÖ-A 1"),  # Lörrach: districts may have umlauts
        ("V-Z 9999", "V-Z 9999"),  # Vogtlandkreis
    ],
)
def test_a_german_registration_number_is_normalised(written: str, stored: str | None) -> None:
    if stored is None:
        assert "Kennzeichen" in refused(Plate, written)
    else:
        assert TypeAdapter(Plate).validate_python(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "LAB1234",  # district and letters cannot be told apart
        "L-ABC 123",  # three letters
        "L-AB 12345",  # five digits
        "L-AB 0123",  # a leading zero
        "ABCD-A 1",  # four-letter district
        "L-AB 1234X",  # an unknown suffix
        "MTL-XY 1234",  # nine characters
        "L-ÄB 12",  # umlauts only in the district
        "",
    ],
)
def test_a_wrong_registration_number_is_refused_in_german(written: str) -> None:
    assert refused(Plate, written) == (
        "Bitte geben Sie das Kennzeichen so an, wie es am Fahrzeug steht, z. B. „L-AB 1234“."
    )


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("de89370400440532013000", "DE89370400440532013000"),
        ("AT61 1904 3002 3457 3201", "AT611904300234573201"),
    ],
)
def test_an_iban_is_checked_and_stored_compact(written: str, stored: str) -> None:
    assert TypeAdapter(Iban).validate_python(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "DE89 3704 0044 0532 0130 01",  # check digits wrong
        "DE89 3704 0044 0532 0130",  # too short
        "XX89 3704 0044 0532 0130 00",  # no such country
        "keine IBAN",
    ],
)
def test_a_wrong_iban_is_refused_in_german(written: str) -> None:
    assert (
        refused(Iban, written) == "Bitte prüfen Sie die IBAN (z. B. DE89 3704 0044 0532 0130 00)."
    )


@pytest.mark.parametrize(
    ("written", "stored"), [("COBADEFFXXX", "COBADEFFXXX"), ("cobadeff", "COBADEFF")]
)
def test_a_bic_is_checked_and_stored_compact(written: str, stored: str) -> None:
    assert TypeAdapter(Bic).validate_python(written) == stored


@pytest.mark.parametrize("written", ["COBADEFFXX", "COBA1EFF", "COBAXXFF", "DE89"])
def test_a_wrong_bic_is_refused_in_german(written: str) -> None:
    assert refused(Bic, written) == (
        "Bitte prüfen Sie die BIC (8 oder 11 Zeichen, z. B. COBADEFFXXX)."
    )


@pytest.mark.parametrize("written", ["a@[b.de", "anna@localhost", "anna schmidt@example.org"])
def test_an_address_the_mail_library_refuses_is_refused_in_german(written: str) -> None:
    assert "gültige E-Mail-Adresse" in refused(EmailAddress, written)


def test_an_email_address_is_one_line_and_marked_as_email() -> None:
    assert TypeAdapter(EmailAddress).validate_python("jörg@bäcker.de") == "jörg@bäcker.de"
    assert "Zeilenumbruch" in refused(EmailAddress, "a@b.de\nBcc: x@y.de")
    assert TypeAdapter(EmailAddress).json_schema()["format"] == "email"


def test_a_postal_address_has_german_titles_and_no_docstring_in_its_schema() -> None:
    schema = PostalAddress.model_json_schema()

    assert [field["title"] for field in schema["properties"].values()] == [
        "Straße und Hausnummer",
        "Postleitzahl",
        "Ort",
    ]
    assert "description" not in schema
