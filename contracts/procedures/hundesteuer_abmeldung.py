"""Hundesteuer-Abmeldung (ending a dog's registration for the dog tax), version 1.

The keeper, the dog and its tax tag (Hundesteuermarke), why the keeping ended — the dog died,
was given away (then to whom: the town may have to register the new keeper) or the keeper
moves away (then the new address, for the final assessment) — and since when.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo, field_validator

from contracts.procedures.base import Choice, Condition, FormModel, ProcedureDefinition
from contracts.procedures.fields import DECLARATION, Person, within
from contracts.procedures.hundesteuer_anmeldung import LEGAL_BASIS
from contracts.values import Contact, PersonName, PostalAddress, SingleLine

ENDED_BACK = timedelta(days=365)
ENDED_AHEAD = timedelta(days=90)

_TAG = re.compile(r"^[0-9A-Z][0-9A-Z/.-]{0,19}$")


def _a_tag_number(value: str) -> str:
    compact = "".join(value.split()).upper()
    if not _TAG.match(compact):
        raise ValueError(
            "Bitte geben Sie die Nummer so an, wie sie auf der Hundesteuermarke steht."
        )
    return compact


TagNumber = Annotated[str, AfterValidator(_a_tag_number), Field(examples=["127"])]
"""The number on a Hundesteuermarke (digits, letters, ``/ . -``; spaces dropped)."""


class EndReason(Choice):
    """Why the dog is no longer kept."""

    VERSTORBEN = "verstorben"
    ABGEGEBEN = "abgegeben"
    WEGZUG = "wegzug"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.VERSTORBEN: "Der Hund ist verstorben",
            cls.ABGEGEBEN: "Der Hund wurde abgegeben",
            cls.WEGZUG: "Ich ziehe mit dem Hund aus der Gemeinde weg",
        }


class NewKeeper(FormModel):
    """Whom the dog was given to."""

    model_config = ConfigDict(title="Neue Halterin / neuer Halter")

    name: PersonName = Field(title="Vor- und Familienname")
    address: PostalAddress = Field(title="Anschrift")


class HundesteuerAbmeldungForm(FormModel):
    """Form version 1 of the Hundesteuer-Abmeldung."""

    model_config = ConfigDict(title="Abmeldung eines Hundes von der Hundesteuer")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("new_keeper", when="reason", equals=EndReason.ABGEGEBEN),
        Condition("new_address", when="reason", equals=EndReason.WEGZUG),
    )

    keeper: Person = Field(title="Angaben zur Halterin / zum Halter")
    dog_name: SingleLine = Field(title="Name des Hundes", max_length=100)
    tag_number: TagNumber = Field(title="Nummer der Hundesteuermarke")
    reason: EndReason = Field(title="Grund der Abmeldung")
    new_keeper: NewKeeper | None = Field(default=None, title="Neue Halterin / neuer Halter")
    new_address: PostalAddress | None = Field(default=None, title="Ihre neue Anschrift")
    ended_on: date = Field(title="Die Haltung endet (endete) am")
    declaration_truthful: Literal[True] = Field(title=DECLARATION)

    @field_validator("ended_on")
    @classmethod
    def _plausible(cls, value: date, info: ValidationInfo) -> date:
        return within(value, info, back=ENDED_BACK, ahead=ENDED_AHEAD)


def _contact(form: HundesteuerAbmeldungForm) -> Contact:
    return form.keeper.contact()


DEFINITION = ProcedureDefinition(
    id="hundesteuer-abmeldung",
    title="Hundesteuer: Abmeldung eines Hundes",
    short_description=(
        "Abmeldung eines Hundes von der Hundesteuer, wenn er verstorben ist, abgegeben wurde"
        " oder Sie wegziehen. Bitte geben Sie die Hundesteuermarke zurück."
    ),
    have_at_hand=(
        "die Nummer der Hundesteuermarke",
        "bei Abgabe: Name und Anschrift der neuen Halterin oder des neuen Halters",
        "bei Wegzug: Ihre neue Anschrift",
    ),
    legal_basis=LEGAL_BASIS,
    forms={1: HundesteuerAbmeldungForm},
    contact=_contact,
)
