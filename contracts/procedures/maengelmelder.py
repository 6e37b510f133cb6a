"""Mängelmelder (report of a defect in public space), version 1. No fee.

What is wrong (a pothole, a broken street light, illegal waste, a damaged sign, something
else), where (a point on the map, required), a description and optionally photos. Anonymous
unless the reporter wants status updates: then a name and an e-mail address are asked, and
``contact`` returns them. A point may lie in another member town than the one whose page was
used (``place_may_be_elsewhere``): casework routes the report to that town.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, StringConstraints

from contracts.procedures.base import (
    TEXTAREA,
    AttachmentRule,
    Choice,
    Condition,
    FormModel,
    Place,
    ProcedureDefinition,
)
from contracts.procedures.fields import Coordinates
from contracts.values import Contact, EmailAddress, PersonName, SingleLine


class DefectCategory(Choice):
    """What kind of defect."""

    SCHLAGLOCH = "schlagloch"
    STRASSENBELEUCHTUNG = "strassenbeleuchtung"
    MUELL = "muell"
    VERKEHRSZEICHEN = "verkehrszeichen"
    SONSTIGES = "sonstiges"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.SCHLAGLOCH: "Schlagloch oder Straßenschaden",
            cls.STRASSENBELEUCHTUNG: "Defekte Straßenbeleuchtung",
            cls.MUELL: "Illegale Müllablagerung",
            cls.VERKEHRSZEICHEN: "Beschädigtes Verkehrszeichen",
            cls.SONSTIGES: "Sonstiges",
        }


class Reporter(FormModel):
    """Who wants to hear how the report is handled."""

    model_config = ConfigDict(title="Ihre Kontaktdaten")

    name: PersonName = Field(title="Ihr Name")
    email: EmailAddress = Field(title="E-Mail-Adresse")


class MaengelmelderForm(FormModel):
    """Form version 1 of the Mängelmelder."""

    model_config = ConfigDict(title="Mängelmelder")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("reporter", when="wants_updates", equals=True),
    )

    category: DefectCategory = Field(title="Was ist defekt?")
    point: Coordinates = Field(title="Ort auf der Karte")
    location_hint: SingleLine | None = Field(
        default=None,
        title="Ortsbeschreibung (freiwillig)",
        description="z. B. „vor Hausnummer 12“ oder „Parkplatz am Bahnhof“",
        max_length=200,
    )
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)
    ] = Field(title="Beschreibung", json_schema_extra=TEXTAREA)
    wants_updates: bool = Field(
        default=False, title="Ich möchte per E-Mail über die Bearbeitung informiert werden"
    )
    reporter: Reporter | None = Field(default=None, title="Ihre Kontaktdaten")


def contact(form: MaengelmelderForm) -> Contact | None:
    """The reporter, if they asked for status updates; otherwise nobody (anonymous)."""
    if form.wants_updates and form.reporter is not None:
        return Contact(name=form.reporter.name, email=form.reporter.email)
    return None


def _place(form: MaengelmelderForm) -> Place:
    return Place(points=(form.point.point(),), description=form.location_hint or "")


DEFINITION = ProcedureDefinition(
    id="maengelmelder",
    title="Mängelmelder",
    short_description=(
        "Melden Sie Schlaglöcher, defekte Straßenlampen, illegalen Müll oder beschädigte"
        " Verkehrszeichen. Ohne Anmeldung und kostenlos; auf Wunsch informieren wir Sie über"
        " die Bearbeitung."
    ),
    have_at_hand=(
        "den Ort (auf der Karte oder als Beschreibung)",
        "ein Foto des Mangels, wenn möglich",
    ),
    legal_basis=(
        "Kein Antragsverfahren: ein Hinweis an die Gemeinde als Trägerin der Straßenbaulast"
        " und Verkehrssicherungspflicht (Sächsisches Straßengesetz, SächsStrG)"
    ),
    forms={1: MaengelmelderForm},
    contact=contact,
    attachments=AttachmentRule(
        max_count=3,
        content_types=frozenset({"image/jpeg", "image/png"}),
        hint="Bis zu 3 Fotos als JPEG oder PNG, höchstens 5 MB je Foto.",
    ),
    place=_place,
    place_field="point",
    place_may_be_elsewhere=True,
)
