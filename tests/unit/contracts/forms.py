"""Submitting an example form on a fixed day, and reading a refusal as the citizen reads it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.procedures import procedure
from contracts.procedures.base import FormModel
from runtime.http import german_message
from tests.support.applications import example

ON = date(2026, 6, 15)
"""The day the tests submit on (the validation context fixes it)."""


def form_data(procedure_id: str, **changes: Any) -> dict[str, Any]:
    """The example form of a procedure, its dates relative to ``ON``, with changes by path."""
    body = example(procedure_id, on=ON, **{f"form__{k}": v for k, v in changes.items()})
    form: dict[str, Any] = body["form"]
    return form


def submit(procedure_id: str, version: int = 1, **changes: Any) -> Any:
    """Validate the changed example as intake does on ``ON``."""
    model = procedure(procedure_id).form(version)
    return model.model_validate(form_data(procedure_id, **changes), context={"today": ON})


def refusals(model: type[FormModel], data: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    """Each refused field's ``loc`` with the German message the citizen reads there."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data, context={"today": ON})
    return {tuple(error["loc"]): german_message(dict(error)) for error in caught.value.errors()}


def refusal(procedure_id: str, version: int = 1, **changes: Any) -> tuple[tuple[Any, ...], str]:
    """The one refused field of the changed example, and its German message."""
    model = procedure(procedure_id).form(version)
    found = refusals(model, form_data(procedure_id, **changes))
    assert len(found) == 1, found
    [(loc, message)] = found.items()
    return loc, message


def schema_property(model: type[FormModel], group: str, name: str) -> dict[str, Any]:
    """A property of a group (a ``$defs`` entry, or the form itself) in the form's schema."""
    schema = model.model_json_schema()
    holder = schema if group == model.__name__ else schema["$defs"][group]
    found: dict[str, Any] = holder["properties"][name]
    return found
