"""Gewerbeanmeldung (trade registration, §14 GewO, form GewA 1): form version 1, the definition.

Version 1 holds what the automated rules need; version 2 (``gewerbeanmeldung_v2``) follows the
paper form GewA 1 more closely. Both stay registered: applications stored under version 1 are
read with version 1 for as long as they are kept. Validation messages are German: the citizen
reads them next to the field. The submission's plausibility checks (an adult applicant, a
start that is neither long past nor far ahead) run when it is submitted, not when a stored
application is read back (``contracts.values.STORED``).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from contracts.procedures.base import Condition, FormModel, ProcedureDefinition
from contracts.procedures.fields import OLDEST_BIRTH_YEAR, years_between
from contracts.procedures.gewerbe import (
    ADULT_AGE,
    EU_EEA_CH,
    START_WINDOW,
    Activity,
    LegalForm,
    Nationality,
    RegulatedActivity,
    adult_birth_date,
    plausible_start,
)
from contracts.procedures.gewerbeanmeldung_v2 import GewerbeanmeldungFormV2
from contracts.procedures.gewerbeanmeldung_v3 import GewerbeanmeldungFormV3
from contracts.values import Contact, EmailAddress, PersonName, PostalAddress, SingleLine

__all__ = [
    "ADULT_AGE",
    "DEFINITION",
    "EU_EEA_CH",
    "OLDEST_BIRTH_YEAR",
    "START_WINDOW",
    "Applicant",
    "Business",
    "GewerbeanmeldungForm",
    "GewerbeanmeldungFormV2",
    "LegalForm",
    "RegulatedActivity",
    "years_between",
]


class Applicant(FormModel):
    """The person registering the trade."""

    model_config = ConfigDict(title="Angaben zur Person")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition(
            "residence_permit_allows_self_employment",
            when="nationality",
            not_in=tuple(sorted(EU_EEA_CH)),
        ),
    )

    family_name: PersonName = Field(title="Familienname")
    given_names: PersonName = Field(title="Vornamen")
    birth_date: date = Field(title="Geburtsdatum")
    nationality: Nationality = Field(title="Staatsangehörigkeit (ISO-Ländercode, z. B. DE)")
    email: EmailAddress = Field(title="E-Mail-Adresse")
    phone: SingleLine | None = Field(default=None, title="Telefon", max_length=40)
    address: PostalAddress = Field(title="Wohnanschrift")
    residence_permit_allows_self_employment: bool | None = Field(
        default=None,
        title="Aufenthaltstitel erlaubt selbständige Tätigkeit",
        description="Nur für Staatsangehörige außerhalb von EU, EWR und Schweiz",
    )

    @field_validator("birth_date")
    @classmethod
    def _plausible_adult(cls, value: date, info: ValidationInfo) -> date:
        return adult_birth_date(value, info)


class Business(FormModel):
    """The business being registered."""

    model_config = ConfigDict(title="Angaben zum Betrieb")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("handwerksrolle_entry", when="craft_trade", equals=True, required=False),
    )

    trade_name: SingleLine | None = Field(default=None, title="Name des Betriebs", max_length=200)
    legal_form: LegalForm = Field(title="Rechtsform")
    address: PostalAddress = Field(title="Anschrift der Betriebsstätte")
    activity: Activity = Field(title="Angemeldete Tätigkeit", max_length=2000)
    start_date: date = Field(title="Beginn der Tätigkeit")
    regulated_activities: list[RegulatedActivity] = Field(
        default_factory=list, title="Erlaubnispflichtige Tätigkeiten"
    )
    craft_trade: bool = Field(default=False, title="Handwerk oder handwerksähnliches Gewerbe")
    handwerksrolle_entry: bool = Field(default=False, title="Eintragung in die Handwerksrolle")
    employees_full_time: int = Field(default=0, ge=0, le=100_000, title="Vollzeitbeschäftigte")
    employees_part_time: int = Field(default=0, ge=0, le=100_000, title="Teilzeitbeschäftigte")

    @field_validator("start_date")
    @classmethod
    def _plausible_start(cls, value: date, info: ValidationInfo) -> date:
        return plausible_start(value, info)


class GewerbeanmeldungForm(FormModel):
    """Form version 1 of the Gewerbeanmeldung."""

    model_config = ConfigDict(title="Gewerbeanmeldung")

    applicant: Applicant = Field(title="Angaben zur Person")
    business: Business = Field(title="Angaben zum Betrieb")
    declaration_truthful: Literal[True] = Field(
        title="Ich versichere die Richtigkeit meiner Angaben."
    )


def _contact(form: GewerbeanmeldungForm | GewerbeanmeldungFormV2) -> Contact:
    person = form.applicant
    return Contact(name=f"{person.given_names} {person.family_name}", email=person.email)


DEFINITION = ProcedureDefinition(
    id="gewerbeanmeldung",
    title="Gewerbeanmeldung",
    short_description=(
        "Anmeldung eines Gewerbes, das Sie neu beginnen (Formular GewA 1). Ist alles"
        " vollständig und kein erlaubnispflichtiges Gewerbe dabei, erhalten Sie die"
        " Empfangsbescheinigung sofort."
    ),
    have_at_hand=(
        "Personalausweis oder Reisepass",
        "bei Handwerk: die Eintragung in die Handwerksrolle",
        "bei Staatsangehörigkeit außerhalb von EU, EWR und Schweiz: den Aufenthaltstitel",
        "bei erlaubnispflichtigem Gewerbe: die Erlaubnis",
    ),
    legal_basis="§ 14 Gewerbeordnung (GewO), Gewerbeanzeigeverordnung (GewAnzV)",
    forms={1: GewerbeanmeldungForm, 2: GewerbeanmeldungFormV2, 3: GewerbeanmeldungFormV3},
    contact=_contact,
)
