"""Hundesteuer-Anmeldung (registering a dog for the dog tax, the town's Hundesteuersatzung), v1.

The keeper, the dog (name, breed, born, kept since), whether it is a listed dangerous dog —
then a certificate is uploaded (a temperament test or a proof of competence) and the higher
rate applies —, how many other dogs the household keeps (the rate rises per dog), and
optionally a SEPA direct-debit mandate for the annual tax that billing assesses.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contracts.procedures.base import (
    FILE,
    AttachmentRule,
    Condition,
    FormModel,
    ProcedureDefinition,
    field_error,
)
from contracts.procedures.fields import DECLARATION, Person, SepaMandate, within
from contracts.values import Contact, SingleLine, is_stored, submitted_on

OLDEST_DOG = timedelta(days=30 * 365)
KEPT_SINCE_BACK = timedelta(days=5 * 365)
"""Dogs are registered when they come; one kept for years is for the tax office to look at."""
KEPT_SINCE_AHEAD = timedelta(days=90)
LEGAL_BASIS = "Hundesteuersatzung der Gemeinde (Sächsisches Kommunalabgabengesetz, SächsKAG)"

_CHIP = re.compile(r"^\d{15}$")


def _a_chip_number(value: str) -> str:
    compact = "".join(value.split())
    if not _CHIP.match(compact):
        raise ValueError("Die Chipnummer hat 15 Ziffern (ISO 11784), z. B. 276098100123456.")
    return compact


ChipNumber = Annotated[str, AfterValidator(_a_chip_number), Field(examples=["276098100123456"])]


class Dog(FormModel):
    """The dog being registered."""

    model_config = ConfigDict(title="Angaben zum Hund")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("certificate", when="dangerous_breed", equals=True),
    )

    name: SingleLine = Field(title="Name des Hundes", max_length=100)
    breed: SingleLine = Field(title="Rasse bzw. Kreuzung", max_length=200)
    born: date = Field(title="Geburtsdatum des Hundes (ungefähr genügt)")
    kept_since: date = Field(title="Gehalten seit")
    chip_number: ChipNumber | None = Field(default=None, title="Chipnummer (freiwillig)")
    dangerous_breed: bool = Field(
        default=False,
        title="Gefährlicher Hund / Rasse der Liste der Hundesteuersatzung",
        description="Dafür gilt ein erhöhter Steuersatz.",
    )
    certificate: UUID | None = Field(
        default=None,
        title="Nachweis (z. B. Wesenstest oder Sachkundenachweis)",
        json_schema_extra=FILE,
    )

    @field_validator("born")
    @classmethod
    def _plausible_born(cls, value: date, info: ValidationInfo) -> date:
        if is_stored(info):
            return value
        day = submitted_on(info)
        if value > day:
            raise ValueError("Das Geburtsdatum darf nicht in der Zukunft liegen.")
        if value < day - OLDEST_DOG:
            raise ValueError("Bitte prüfen Sie das Geburtsdatum des Hundes.")
        return value

    @field_validator("kept_since")
    @classmethod
    def _plausible_since(cls, value: date, info: ValidationInfo) -> date:
        return within(value, info, back=KEPT_SINCE_BACK, ahead=KEPT_SINCE_AHEAD)

    @model_validator(mode="after")
    def _kept_after_born(self, info: ValidationInfo) -> Self:
        if is_stored(info) or self.kept_since >= self.born:
            return self
        raise field_error(
            ("kept_since",),
            "Der Hund kann nicht vor seiner Geburt gehalten werden.",
            self.kept_since,
        )


class HundesteuerAnmeldungForm(FormModel):
    """Form version 1 of the Hundesteuer-Anmeldung."""

    model_config = ConfigDict(title="Anmeldung eines Hundes zur Hundesteuer")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("mandate", when="direct_debit", equals=True),
    )

    keeper: Person = Field(title="Angaben zur Halterin / zum Halter")
    dog: Dog = Field(title="Angaben zum Hund")
    other_dogs: int = Field(
        default=0,
        ge=0,
        le=20,
        title="Anzahl weiterer Hunde in Ihrem Haushalt",
        description="Für den zweiten und jeden weiteren Hund gilt ein höherer Steuersatz.",
    )
    direct_debit: bool = Field(
        default=False, title="Die Hundesteuer soll per Lastschrift eingezogen werden"
    )
    mandate: SepaMandate | None = Field(default=None, title="SEPA-Lastschriftmandat")
    declaration_truthful: Literal[True] = Field(title=DECLARATION)


def _contact(form: HundesteuerAnmeldungForm) -> Contact:
    return form.keeper.contact()


DEFINITION = ProcedureDefinition(
    id="hundesteuer-anmeldung",
    title="Hundesteuer: Anmeldung eines Hundes",
    short_description=(
        "Anmeldung eines Hundes zur Hundesteuer, binnen zwei Wochen nach Beginn der Haltung."
        " Sie erhalten die Hundesteuermarke und jährlich einen Steuerbescheid."
    ),
    have_at_hand=(
        "Name, Rasse und Geburtsdatum des Hundes, das Datum, seit dem Sie ihn halten",
        "die Chipnummer, falls vorhanden",
        "bei einem gefährlichen Hund: den Wesenstest oder Sachkundenachweis als PDF",
        "für die Lastschrift: IBAN und Kontoinhaber/in",
    ),
    legal_basis=LEGAL_BASIS,
    forms={1: HundesteuerAnmeldungForm},
    contact=_contact,
    attachments=AttachmentRule(
        max_count=3, hint="Nachweise als PDF, JPEG oder PNG, höchstens 3 Dateien zu je 5 MB."
    ),
)
