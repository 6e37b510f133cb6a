"""Every registered procedure is complete, and its forms speak the widget's vocabulary only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest

from contracts.procedures import DEFINITIONS, FORMS, PROCEDURES, TITLES, ProcedureId, procedure
from contracts.procedures.base import ANNOTATIONS, WIDGETS, Choice, FormModel, attachment_ids
from contracts.procedures.bewohnerparkausweis import BewohnerparkausweisForm
from tests.support.applications import EXAMPLES, RELATIVE_DATES, example
from tests.unit.contracts.forms import ON, form_data

FORM_MODELS = [
    pytest.param(model, id=f"{d.id}-v{version}")
    for d in DEFINITIONS
    for version, model in d.forms.items()
]


def walk(node: Any) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """Every (key, value, holder) of a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value, node
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_the_nine_procedures_are_registered_each_once() -> None:
    assert [d.id for d in DEFINITIONS] == [member.value for member in ProcedureId]
    assert set(PROCEDURES) == set(FORMS) == set(TITLES)
    assert len(PROCEDURES) == 9


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.id)
def test_every_part_of_a_definition_is_filled(definition: Any) -> None:
    assert definition.title.strip()
    assert len(definition.short_description) > 40
    assert definition.have_at_hand
    assert all(line.strip() for line in definition.have_at_hand)
    assert definition.legal_basis.strip()
    assert callable(definition.contact)
    assert callable(definition.place)
    assert definition.forms
    assert min(definition.forms) == 1
    assert sorted(definition.forms) == list(range(1, definition.current_version + 1))
    rule = definition.attachments
    assert rule.max_count >= 1
    assert rule.max_bytes > 0
    assert rule.content_types
    assert "MB" in rule.hint


@pytest.mark.parametrize("procedure_id", list(RELATIVE_DATES))
def test_each_example_is_valid_today_and_names_its_applicant(procedure_id: str) -> None:
    definition = procedure(procedure_id)
    form = definition.form(1).model_validate(example(procedure_id)["form"])

    contact = definition.contact(form)
    assert contact is not None
    assert "@" in contact.email
    assert (EXAMPLES / f"{procedure_id}.json").exists()


def test_the_examples_are_all_the_procedures() -> None:
    assert sorted(path.stem for path in EXAMPLES.glob("*.json")) == sorted(PROCEDURES)
    assert set(RELATIVE_DATES) == set(PROCEDURES)


@pytest.mark.parametrize(
    ("procedure_id", "has_place"),
    [
        ("verkehrsrechtliche-anordnung", 2),
        ("sondernutzungserlaubnis", 1),
        ("maengelmelder", 1),
        ("gewerbeanmeldung", 0),
        ("hundesteuer-anmeldung", 0),
    ],
)
def test_a_place_is_given_where_the_application_is_about_one(
    procedure_id: str, has_place: int
) -> None:
    definition = procedure(procedure_id)
    form = definition.form(1).model_validate(form_data(procedure_id), context={"today": ON})

    place = definition.place(form)
    assert (len(place.points) if place else 0) == has_place
    if place:
        assert all(51.3 < lat < 51.45 and 12.7 < lon < 12.8 for lat, lon in place.coordinates)


def test_only_the_maengelmelder_may_be_about_a_place_in_another_town() -> None:
    assert [d.id for d in DEFINITIONS if d.place_may_be_elsewhere] == ["maengelmelder"]


@pytest.mark.parametrize("model", FORM_MODELS)
def test_a_form_schema_has_only_the_documented_annotations(model: type[FormModel]) -> None:
    schema = model.model_json_schema()
    used = {key for key, _, _ in walk(schema) if key.startswith("x-")}
    widgets = {value for key, value, _ in walk(schema) if key == "x-widget"}

    assert used <= ANNOTATIONS
    assert widgets <= WIDGETS
    json.dumps(schema)  # it is JSON


@pytest.mark.parametrize("model", FORM_MODELS)
def test_every_field_has_a_german_title_of_its_own_and_no_docstring(
    model: type[FormModel],
) -> None:
    schema = model.model_json_schema()
    for group in [schema, *schema.get("$defs", {}).values()]:
        assert "description" not in group, group["title"]
        for name, field in group.get("properties", {}).items():
            # pydantic leaves out a title that repeats the title of the group referred to
            referred = field.get("$ref", "").removeprefix("#/$defs/")
            title = field.get("title") or schema["$defs"][referred]["title"]
            assert title, name
            assert title != name.replace("_", " ").title(), name


@pytest.mark.parametrize("model", FORM_MODELS)
def test_every_choice_has_a_german_label_per_value(model: type[FormModel]) -> None:
    schema = model.model_json_schema()
    for name, group in schema.get("$defs", {}).items():
        if "enum" in group:
            assert set(group["x-labels"]) == set(group["enum"]), name
            assert "description" not in group, name


def test_every_condition_names_fields_that_exist() -> None:
    def models(model: type[FormModel]) -> Iterator[type[FormModel]]:
        yield model
        for info in model.model_fields.values():
            for candidate in (info.annotation, *getattr(info.annotation, "__args__", ())):
                if isinstance(candidate, type) and issubclass(candidate, FormModel):
                    yield from models(candidate)

    for d in DEFINITIONS:
        for form in d.forms.values():
            for model in models(form):
                for condition in model.conditions:
                    assert condition.field in model.model_fields, (model, condition)
                    assert condition.when in model.model_fields, (model, condition)
                    schema = model.model_json_schema()
                    assert "x-show-if" in schema["properties"][condition.field]


def test_a_choice_keeps_its_values_and_labels_them() -> None:
    class Answer(Choice):
        YES = "ja"

        @classmethod
        def labels(cls) -> dict[Any, str]:
            return {cls.YES: "Ja, gern"}

    assert isinstance(Answer.YES, StrEnum)
    assert Answer("ja") is Answer.YES


def test_the_files_a_form_refers_to_are_found_in_its_groups() -> None:
    plan = UUID("0190f3c4-0000-7000-8000-000000000001")
    form = BewohnerparkausweisForm.model_validate(
        form_data(
            "bewohnerparkausweis", vehicle__use="leasing", vehicle__permission_document=str(plan)
        ),
        context={"today": ON},
    )

    assert attachment_ids(form) == [plan]
    assert (
        attachment_ids(BewohnerparkausweisForm.model_validate(form_data("bewohnerparkausweis")))
        == []
    )
