"""Bewohnerparkausweis (resident parking permit, §45 (1b) StVO), version 1.

A resident whose main residence lies in a parking zone applies for one vehicle: its
registration number, and whether they hold it or may use it — a company car, a leased car or
another person's car needs a document that proves the permission (an uploaded file). The
permit is valid for one year (``VALIDITY_DAYS``); casework checks the address against the zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from contracts.procedures.base import (
    FILE,
    AttachmentRule,
    Choice,
    Condition,
    FormModel,
    ProcedureDefinition,
)
from contracts.procedures.fields import DECLARATION, Person
from contracts.values import Contact, Plate, SingleLine

VALIDITY_DAYS = 365
"""A permit is valid for a year from its issue (informational: casework and billing use it)."""


class VehicleUse(Choice):
    """Why the applicant may park this vehicle as theirs."""

    HALTER = "halter"
    FIRMENWAGEN = "firmenwagen"
    LEASING = "leasing"
    UEBERLASSEN = "ueberlassen"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.HALTER: "Ich bin Halter/in des Fahrzeugs",
            cls.FIRMENWAGEN: "Firmenwagen, den ich auch privat nutze",
            cls.LEASING: "Leasingfahrzeug",
            cls.UEBERLASSEN: "Fahrzeug einer anderen Person, das mir dauerhaft überlassen ist",
        }


class Vehicle(FormModel):
    """The vehicle the permit is for."""

    model_config = ConfigDict(title="Fahrzeug")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("permission_document", when="use", not_in=(VehicleUse.HALTER,)),
    )

    plate: Plate = Field(title="Amtliches Kennzeichen")
    make: SingleLine | None = Field(
        default=None, title="Hersteller und Typ (freiwillig)", max_length=100
    )
    use: VehicleUse = Field(title="Nutzung des Fahrzeugs")
    permission_document: UUID | None = Field(
        default=None,
        title="Nachweis der Nutzungsberechtigung",
        description=(
            "z. B. Bestätigung des Arbeitgebers, Leasingvertrag oder Erklärung der Halterin"
            " bzw. des Halters"
        ),
        json_schema_extra=FILE,
    )


class BewohnerparkausweisForm(FormModel):
    """Form version 1 of the Bewohnerparkausweis."""

    model_config = ConfigDict(title="Bewohnerparkausweis")

    applicant: Person = Field(
        title="Angaben zur Person",
        description="Die Wohnanschrift muss Ihre Hauptwohnung im Bewohnerparkgebiet sein.",
    )
    parking_zone: SingleLine = Field(
        title="Bewohnerparkgebiet",
        description="Bezeichnung oder Nummer, wie auf den Zusatzzeichen vor Ort",
        max_length=50,
        examples=["Altstadt"],
    )
    vehicle: Vehicle = Field(title="Fahrzeug")
    main_residence: Literal[True] = Field(
        title="Die angegebene Wohnanschrift ist meine Hauptwohnung."
    )
    declaration_truthful: Literal[True] = Field(title=DECLARATION)


def _contact(form: BewohnerparkausweisForm) -> Contact:
    return form.applicant.contact()


DEFINITION = ProcedureDefinition(
    id="bewohnerparkausweis",
    title="Bewohnerparkausweis",
    short_description=(
        "Parkausweis für Bewohnerinnen und Bewohner eines Bewohnerparkgebiets, für ein"
        " Fahrzeug. Der Ausweis gilt ein Jahr."
    ),
    have_at_hand=(
        "das Kennzeichen des Fahrzeugs",
        "die Bezeichnung Ihres Bewohnerparkgebiets",
        "bei Firmen-, Leasing- oder überlassenem Fahrzeug: den Nachweis der"
        " Nutzungsberechtigung als PDF oder Foto",
    ),
    legal_basis="§ 45 Abs. 1b Satz 1 Nr. 2a Straßenverkehrs-Ordnung (StVO)",
    forms={1: BewohnerparkausweisForm},
    contact=_contact,
    attachments=AttachmentRule(
        max_count=2,
        hint="Nachweis als PDF, JPEG oder PNG, höchstens 2 Dateien zu je 5 MB.",
    ),
)
