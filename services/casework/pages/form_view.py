"""An application's form data as the clerk reads it: German labels and values, in sections.

Generic over every procedure: the labels, the order, the groups and the choices' German
names come from the form's own JSON Schema (``contracts/procedures``), exactly what the
citizen saw in the widget. A nested object is a section (its title the heading), a date
reads 30.11.2026, a yes/no Ja or Nein, a choice by its label (``x-labels``), a point on the
map (``x-widget: point``) as coordinates with a link to OpenStreetMap, a stretch of road
(``section``) as its two ends, an uploaded file (``file``) as a reference to the case's
attachments. Answers the citizen left out are left out here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from contracts.procedures import PROCEDURES

OSM = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


@dataclass(frozen=True)
class Link:
    """A link next to a value (a point on the map)."""

    text: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One answer: its label and its value as text."""

    label: str
    value: str
    links: tuple[Link, ...] = ()
    files: tuple[str, ...] = ()
    """Ids of uploaded files the answer names (the page links them to the attachments)."""


@dataclass
class Section:
    """A group of answers (a fieldset of the form), possibly with groups inside."""

    title: str
    entries: list[Entry] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing in it was answered."""
        return not self.entries and all(s.empty for s in self.sections)


def form_schema(procedure: str, version: int | None) -> dict[str, Any] | None:
    """The JSON Schema of a procedure's form version (``None`` if the suite has none)."""
    definition = PROCEDURES.get(procedure)
    if definition is None:
        return None
    forms = dict(definition.forms)
    model = forms.get(version or 1) or forms.get(max(forms))
    return model.model_json_schema() if model else None


def form_sections(schema: dict[str, Any] | None, data: Mapping[str, Any]) -> list[Section]:
    """The form's answers in sections: the top level's plain answers first, then each group."""
    reader = _Reader(schema or {})
    top = reader.section(schema.get("title", "Antrag") if schema else "Antrag", schema, data)
    general = Section(top.title, top.entries)
    return [s for s in (general, *top.sections) if not s.empty]


class _Reader:
    """Walks one schema (resolving ``$ref`` in its ``$defs``) alongside the data."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = schema.get("$defs", {})

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema a property stands for: its ``$ref`` followed, ``X | None`` unwrapped
        (the property's own title and annotations kept over the target's)."""
        if "$ref" in schema:
            target = self.defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
            own = {k: v for k, v in schema.items() if k != "$ref"}
            return {**self.resolve(target), **own}
        options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            own = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**self.resolve(options[0]), **own}
        return schema

    def section(
        self, title: str, schema: dict[str, Any] | None, data: Mapping[str, Any]
    ) -> Section:
        """A group's answers in the order of its schema; answers it does not know at the end."""
        properties: dict[str, Any] = (schema or {}).get("properties", {})
        section = Section(title)
        for name in [*properties, *(k for k in data if k not in properties)]:
            if name not in data or data[name] is None:
                continue
            prop = self.resolve(properties.get(name, {}))
            self.add(section, prop.get("title") or name, prop, data[name])
        return section

    def add(self, section: Section, label: str, schema: dict[str, Any], value: Any) -> None:
        """One answer into ``section``: a value, or a group of its own."""
        widget = schema.get("x-widget")
        if widget == "point" and isinstance(value, Mapping):
            section.entries.append(point_entry(label, value))
        elif widget == "section" and isinstance(value, Mapping):
            section.entries.append(stretch_entry(label, value))
        elif widget == "file":
            files = tuple(str(v) for v in (value if isinstance(value, list) else [value]))
            section.entries.append(Entry(label, "siehe Anlagen", files=files))
        elif isinstance(value, Mapping):
            section.sections.append(self.section(label, schema, value))
        elif isinstance(value, list):
            self.add_list(section, label, schema, value)
        else:
            section.entries.append(Entry(label, scalar(value, schema)))

    def add_list(
        self, section: Section, label: str, schema: dict[str, Any], items: list[Any]
    ) -> None:
        """A list: its values in one line, or a group per item if they are objects."""
        item_schema = self.resolve(schema.get("items", {}))
        if items and all(isinstance(i, Mapping) for i in items):
            for number, item in enumerate(items, start=1):
                section.sections.append(self.section(f"{label} {number}", item_schema, item))
            return
        text = ", ".join(scalar(i, item_schema) for i in items) or "keine"
        section.entries.append(Entry(label, text))


def scalar(value: Any, schema: Mapping[str, Any]) -> str:
    """A single value in German."""
    labels = schema.get("x-labels")
    if isinstance(labels, Mapping) and str(value) in labels:
        return str(labels[str(value)])
    if isinstance(value, bool):
        return "Ja" if value else "Nein"
    if isinstance(value, int | float | Decimal):
        return german_number(value)
    text = str(value)
    kind = schema.get("format")
    try:
        if kind == "date":
            return f"{date.fromisoformat(text):%d.%m.%Y}"
        if kind == "time":
            return f"{time.fromisoformat(text):%H:%M} Uhr"
        if kind == "date-time":
            return f"{datetime.fromisoformat(text):%d.%m.%Y, %H:%M} Uhr"
    except ValueError:
        return text
    return text


def german_number(value: int | float | Decimal) -> str:
    """``12,5`` — a decimal comma, no thousands separator (as forms are filled in)."""
    if isinstance(value, int):
        return str(value)
    return format(value, "f").rstrip("0").rstrip(".").replace(".", ",") or "0"


def _coordinate(point: Mapping[str, Any]) -> tuple[str, str] | None:
    """A point's text and its address on the map (``None`` if it is none)."""
    lat, lon = point.get("lat"), point.get("lon")
    numbers = (int, float, Decimal)
    if isinstance(lat, bool) or not isinstance(lat, numbers) or not isinstance(lon, numbers):
        return None
    return f"{german_number(lat)}° N, {german_number(lon)}° O", OSM.format(lat=lat, lon=lon)


def point_entry(label: str, point: Mapping[str, Any]) -> Entry:
    """A point: its coordinates, and the map there."""
    found = _coordinate(point)
    if found is None:
        return Entry(label, "keine gültigen Koordinaten")
    text, url = found
    return Entry(label, text, (Link("Auf der Karte ansehen", url),))


def stretch_entry(label: str, stretch: Mapping[str, Any]) -> Entry:
    """A stretch of road: from its start to its end, each on the map."""
    start, end = (_coordinate(stretch.get(k) or {}) for k in ("start", "end"))
    if start is None or end is None:
        return Entry(label, "keine gültigen Koordinaten")
    return Entry(
        label,
        f"von {start[0]} bis {end[0]}",
        (Link("Anfang auf der Karte", start[1]), Link("Ende auf der Karte", end[1])),
    )
