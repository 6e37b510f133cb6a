"""Errors as operators read them: one line, no values."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from runtime.errors import MAX_LENGTH, describe_error


class Person(BaseModel):
    name: str
    age: int


def test_a_validation_error_names_fields_but_not_the_values() -> None:
    with pytest.raises(ValidationError) as caught:
        Person.model_validate({"name": 7, "age": "Erika Mustermann"})
    text = describe_error(caught.value)
    assert text.startswith("ValidationError: name: ")
    assert "age: Input should be a valid integer" in text
    assert "Erika" not in text
    assert "\n" not in text


def test_other_errors_keep_their_first_line_and_are_bounded() -> None:
    assert describe_error(ValueError("first\nsecond")) == "ValueError: first"
    assert describe_error(KeyError()) == "KeyError"
    assert len(describe_error(RuntimeError("x" * 1000))) == MAX_LENGTH
