"""German messages for validation errors, next to the field they belong to."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from contracts.procedures.gewerbeanmeldung import Applicant
from runtime.http import FALLBACK, UNPRINTABLE, field_errors, german_message, unprintable_fields


class _Registration(BaseModel):
    trade_name: str = Field(max_length=20)
    employees: int = 0


def errors_of(model: type[BaseModel], data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [dict(error) for error in caught.value.errors()]


def test_a_missing_field_says_it_is_missing() -> None:
    [error] = errors_of(_Registration, {})

    assert german_message(error) == "Diese Angabe fehlt."


def test_a_validator_message_in_german_is_passed_through() -> None:
    applicant = {
        "family_name": "Schmidt",
        "given_names": "Anna",
        "birth_date": (date.today() + timedelta(days=30)).isoformat(),
        "nationality": "DE",
        "email": "anna@example.org",
        "address": {"street": "Hauptstraße 5", "postcode": "01067", "city": "Dresden"},
    }
    [error] = errors_of(Applicant, applicant)

    assert german_message(error) == "Das Geburtsdatum darf nicht in der Zukunft liegen."


def test_a_too_long_text_names_the_limit() -> None:
    [error] = errors_of(_Registration, {"trade_name": "x" * 21})

    assert german_message(error) == "Der Text ist zu lang (höchstens 20 Zeichen)."


def test_an_unknown_error_type_gets_the_general_message() -> None:
    assert german_message({"type": "quantum_flux", "msg": "Reality is broken"}) == FALLBACK
    assert FALLBACK == "Diese Angabe ist ungültig."


def test_a_template_whose_context_is_missing_gets_the_general_message() -> None:
    assert german_message({"type": "string_too_long", "ctx": {}}) == FALLBACK


def test_a_value_error_without_a_message_gets_the_general_message() -> None:
    assert german_message({"type": "value_error", "ctx": {}}) == FALLBACK


def test_field_errors_name_the_field_by_its_path() -> None:
    errors = errors_of(_Registration, {"trade_name": "x" * 21, "employees": "viele"})

    result = field_errors([{**e, "loc": ("body", *e["loc"])} for e in errors], strip=1)

    assert [(e.field, e.message, e.type) for e in result] == [
        ("trade_name", "Der Text ist zu lang (höchstens 20 Zeichen).", "string_too_long"),
        ("employees", "Hier wird eine ganze Zahl erwartet.", "int_parsing"),
    ]


def test_field_errors_prefix_fields_but_not_the_whole_request() -> None:
    errors = [
        {"type": "missing", "loc": ("attachments", 0, "filename")},
        {"type": "json_invalid", "loc": ()},
    ]

    result = field_errors(errors, prefix="form.")

    assert [(e.field, e.message) for e in result] == [
        ("form.attachments.0.filename", "Diese Angabe fehlt."),
        ("(Anfrage)", "Die Anfrage ist kein gültiges JSON."),
    ]


def test_control_characters_and_lone_surrogates_are_named_by_field() -> None:
    form = {
        "applicant": {"family_name": "Muster\x00", "given_names": "Anna\nMaria"},
        "business": {"activity": "Web\ud800design", "tags": ["gut", "bö\x1bse"]},
        "employees": 3,
    }
    errors = unprintable_fields(form, ("form",))
    assert [e.field for e in errors] == [
        "form.applicant.family_name",
        "form.business.activity",
        "form.business.tags.1",
    ]
    assert {e.message for e in errors} == {UNPRINTABLE}


def test_ordinary_text_with_umlauts_tabs_and_line_breaks_passes() -> None:
    assert unprintable_fields({"a": "Größe\tÄrger\r\nß — „ok“ 🙂", "b": [None, 1.5, True]}) == []
