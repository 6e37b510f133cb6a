"""Checking an application as it is submitted (pure): the form, its files, its place.

The same function answers a submission and the widget's check before it (``…/form/check``),
so the citizen reads the same message in both places. The form's own rules come from its
definition (``contracts.procedures``); what only intake can know is added here: which files
were uploaded for this application, and the member towns' areas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from contracts import geo
from contracts.procedures.base import FormModel, ProcedureDefinition, attachment_ids
from runtime.http import FieldError, field_errors, unprintable_fields

OUTSIDE_TOWN = "Dieser Ort liegt nicht im Gebiet der Gemeinde {town}."
OUTSIDE_MEMBERS = "Dieser Ort liegt in keiner Gemeinde der RathausCloud."
FILE_NOT_ATTACHED = "Diese Datei ist nicht unter den hochgeladenen Dateien des Antrags."
TOO_MANY_FILES = "Zu einem Antrag gehören höchstens {count} Dateien."


@dataclass(frozen=True)
class Town:
    """What a check needs of a member town."""

    ags: str
    name: str
    area: Sequence[tuple[float, float]] | None


@dataclass(frozen=True)
class Checked:
    """A form that passed every check, and the town its place lies in (if it has one)."""

    form: FormModel
    place_town: str | None = None


def check_application(
    definition: ProcedureDefinition,
    version: int,
    data: dict[str, Any],
    attachments: Sequence[UUID],
    town: Town,
    members: Mapping[str, Town],
) -> Checked | list[FieldError]:
    """The checked form, or every field error (German), form first, then files and place."""
    if unprintable := unprintable_fields(data, ("form",)):
        return unprintable
    try:
        form = definition.form(version).model_validate(data)
    except ValidationError as exc:
        return field_errors(exc.errors(), prefix="form.")
    errors = _files(definition, form, attachments)
    place_town, place_errors = _place(definition, form, town, members)
    errors += place_errors
    return errors if errors else Checked(form, place_town)


def _files(
    definition: ProcedureDefinition, form: FormModel, attachments: Sequence[UUID]
) -> list[FieldError]:
    errors = []
    if len(attachments) > definition.attachments.max_count:
        errors.append(
            FieldError(
                field="attachments",
                message=TOO_MANY_FILES.format(count=definition.attachments.max_count),
                type="too_long",
            )
        )
    for path, named in _file_fields(form):
        if named not in attachments:
            errors.append(FieldError(field=f"form.{path}", message=FILE_NOT_ATTACHED, type="file"))
    return errors


def _file_fields(form: FormModel, prefix: str = "") -> list[tuple[str, UUID]]:
    """(path, id) of every file a form names, so that an error points at its field."""
    found = []
    for name in type(form).model_fields:
        value = getattr(form, name)
        if isinstance(value, FormModel):
            found += _file_fields(value, f"{prefix}{name}.")
        elif isinstance(value, UUID) and value in attachment_ids(form):
            found.append((f"{prefix}{name}", value))
    return found


def _place(
    definition: ProcedureDefinition,
    form: FormModel,
    town: Town,
    members: Mapping[str, Town],
) -> tuple[str | None, list[FieldError]]:
    place = definition.place(form)
    if place is None:
        return None, []
    field = f"form.{definition.place_field}" if definition.place_field else "form"
    areas = {ags: member.area for ags, member in members.items() if member.area}
    covering = geo.town_covering(areas, place.coordinates)
    if definition.place_may_be_elsewhere:
        if covering is None:
            return None, [FieldError(field=field, message=OUTSIDE_MEMBERS, type="place")]
        return covering, []
    if town.area and not geo.covers(town.area, place.coordinates):
        message = OUTSIDE_TOWN.format(town=town.name)
        return None, [FieldError(field=field, message=message, type="place")]
    return town.ags, []
