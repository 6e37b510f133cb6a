"""An application's form as the clerk reads it: every procedure's example, and each kind of
value, rendered from the form's own schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.procedures import PROCEDURES
from services.casework.pages.form_view import (
    Entry,
    Section,
    form_schema,
    form_sections,
    german_number,
    scalar,
)

EXAMPLES = Path(__file__).parents[5] / "deploy" / "examples"


def flat(sections: list[Section]) -> dict[str, Entry]:
    """Every entry by its label, groups included (labels prefixed by their group's title)."""
    found: dict[str, Entry] = {}

    def walk(section: Section, prefix: str) -> None:
        for entry in section.entries:
            found[f"{prefix}{entry.label}"] = entry
        for inner in section.sections:
            walk(inner, f"{prefix}{inner.title} / ")

    for section in sections:
        walk(section, f"{section.title} / ")
    return found


def example(procedure: str) -> tuple[dict[str, object], int]:
    body = json.loads((EXAMPLES / f"{procedure}.json").read_text("utf-8"))
    return body["form"], body.get("form_version", 1)


@pytest.mark.parametrize("procedure", sorted(PROCEDURES))
def test_every_procedures_example_reads_in_german_labels_without_a_raw_key(
    procedure: str,
) -> None:
    form, version = example(procedure)
    sections = form_sections(form_schema(procedure, version), form)
    entries = flat(sections)
    assert entries, procedure
    for label, entry in entries.items():
        leaf = label.rsplit(" / ", 1)[1]
        assert "_" not in leaf, f"{procedure}: a raw field name as label: {label}"
        assert entry.value not in ("True", "False", "None"), (procedure, label, entry.value)


def test_a_gewerbeanmeldung_reads_with_groups_dates_choices_and_yes_no() -> None:
    form, version = example("gewerbeanmeldung")
    form["business"]["regulated_activities"] = ["34a", "gaststaette"]  # type: ignore[index]
    sections = form_sections(form_schema("gewerbeanmeldung", version), form)
    assert [s.title for s in sections] == [
        "Gewerbeanmeldung",
        "Angaben zur Person",
        "Angaben zum Betrieb",
    ]
    entries = flat(sections)
    assert entries["Angaben zur Person / Geburtsdatum"].value == "12.04.1988"
    assert entries["Angaben zur Person / Wohnanschrift / Ort"].value == "Wurzen"
    assert entries["Angaben zum Betrieb / Rechtsform"].value == "Einzelunternehmen"
    assert entries["Angaben zum Betrieb / Handwerk oder handwerksähnliches Gewerbe"].value == "Nein"
    regulated = entries["Angaben zum Betrieb / Erlaubnispflichtige Tätigkeiten"].value
    assert regulated.startswith("Bewachungsgewerbe (§ 34a GewO), ")
    assert (
        entries["Gewerbeanmeldung / Ich versichere die Richtigkeit meiner Angaben."].value == "Ja"
    )


def test_points_and_stretches_of_road_read_as_coordinates_with_the_map() -> None:
    form, version = example("verkehrsrechtliche-anordnung")
    entries = flat(form_sections(form_schema("verkehrsrechtliche-anordnung", version), form))
    stretch = entries["Ort der Arbeiten / Abschnitt (von – bis)"]
    assert stretch.value == "von 51,3712° N, 12,7402° O bis 51,3722° N, 12,742° O"
    assert [link.text for link in stretch.links] == ["Anfang auf der Karte", "Ende auf der Karte"]
    assert stretch.links[0].url.startswith("https://www.openstreetmap.org/?mlat=51.3712&mlon=")
    assert entries["Arbeitszeiten / Täglich von"].value == "07:00 Uhr"
    form, version = example("maengelmelder")
    point = flat(form_sections(form_schema("maengelmelder", version), form))[
        "Mängelmelder / Ort auf der Karte"
    ]
    assert point.value == "51,369° N, 12,745° O"
    assert len(point.links) == 1


def test_left_out_answers_are_left_out_and_unknown_ones_kept_by_their_key() -> None:
    schema = {
        "title": "Probe",
        "properties": {
            "name": {"title": "Name", "type": "string"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Notiz"},
            "plan": {"title": "Plan", "type": "string", "format": "uuid", "x-widget": "file"},
            "items": {"title": "Posten", "type": "array", "items": {"$ref": "#/$defs/Item"}},
        },
        "$defs": {
            "Item": {"title": "Posten", "properties": {"what": {"title": "Was"}}},
        },
    }
    data = {"name": "Ada", "note": None, "plan": "f-1", "items": [{"what": "A"}], "extra": 2}
    section, item = form_sections(schema, data)
    assert [(e.label, e.value) for e in section.entries] == [
        ("Name", "Ada"),
        ("Plan", "siehe Anlagen"),
        ("extra", "2"),
    ]
    assert section.entries[1].files == ("f-1",)
    assert (item.title, item.entries[0].value) == ("Posten 1", "A")


def test_single_values_read_as_germans_write_them() -> None:
    assert scalar(True, {}) == "Ja"
    assert scalar("2026-11-30", {"format": "date"}) == "30.11.2026"
    assert scalar("14:05:00", {"format": "time"}) == "14:05 Uhr"
    assert scalar("kaputt", {"format": "date"}) == "kaputt"
    assert scalar("gmbh", {"x-labels": {"gmbh": "GmbH"}}) == "GmbH"
    assert german_number(12.5) == "12,5"
    assert german_number(3) == "3"
    assert form_schema("gibt-es-nicht", 1) is None
