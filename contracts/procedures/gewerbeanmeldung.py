"""Gewerbeanmeldung (trade registration, §14 GewO, form GewA 1), version 1.

Version 1 holds what the automated rules need. Validation messages are German: the citizen
reads them next to the field. The submission's plausibility checks (an adult applicant, a
start that is neither long past nor far ahead) run when it is submitted, not when a stored
application is read back (``contracts.values.STORED``).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from contracts.procedures.base import Condition, FormModel, ProcedureDefinition
from contracts.values import (
    Contact,
    PersonName,
    PostalAddress,
    SingleLine,
    is_stored,
    submitted_on,
)

EU_EEA_CH = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
        "CH",
    }
)
"""Nationalities that need no residence title to take up self-employment in Germany."""


class RegulatedActivity(StrEnum):
    """Trades that need a permit before they may be registered automatically."""

    BEWACHUNG = "34a"  # security services
    PFANDLEIHE = "34"  # pawnbroking
    MAKLER_BAUTRAEGER = "34c"  # brokers, property developers
    VERSICHERUNGSVERMITTLUNG = "34d"  # insurance intermediaries
    FINANZANLAGENVERMITTLUNG = "34f"  # financial investment intermediaries
    IMMOBILIARDARLEHENSVERMITTLUNG = "34i"  # mortgage credit intermediaries
    GASTSTAETTE = "gaststaette"  # restaurant with alcohol (SächsGastG)
    SPIELHALLE = "33i"  # gaming halls


class LegalForm(StrEnum):
    """Rechtsform of the business."""

    EINZELUNTERNEHMEN = "einzelunternehmen"
    GBR = "gbr"
    UG = "ug"
    GMBH = "gmbh"
    SONSTIGE = "sonstige"


Nationality = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


OLDEST_BIRTH_YEAR = 1900
ADULT_AGE = 18
START_WINDOW = timedelta(days=365)
"""A trade starts at most a year before its registration (a late one) or a year after it."""


def years_between(born: date, day: date) -> int:
    """Completed years from ``born`` to ``day`` (a birthday on 29 February counts on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


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
    email: SingleLine = Field(title="E-Mail-Adresse", json_schema_extra={"format": "email"})
    phone: SingleLine | None = Field(default=None, title="Telefon", max_length=40)
    address: PostalAddress = Field(title="Wohnanschrift")
    residence_permit_allows_self_employment: bool | None = Field(
        default=None,
        title="Aufenthaltstitel erlaubt selbständige Tätigkeit",
        description="Nur für Staatsangehörige außerhalb von EU, EWR und Schweiz",
    )

    @field_validator("email")
    @classmethod
    def _deliverable_form(cls, value: str) -> str:
        # A real parser, not a pattern: an address that passed a pattern but not the mail
        # library once reached notify's senders.
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            raise ValueError(
                "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de."
            ) from None
        return value

    @field_validator("birth_date")
    @classmethod
    def _plausible_adult(cls, value: date, info: ValidationInfo) -> date:
        if is_stored(info):
            return value
        day = submitted_on(info)
        if value > day:
            raise ValueError("Das Geburtsdatum darf nicht in der Zukunft liegen.")
        if value.year < OLDEST_BIRTH_YEAR:
            raise ValueError("Bitte prüfen Sie das Geburtsdatum.")
        if years_between(value, day) < ADULT_AGE:
            raise ValueError(
                "Ein Gewerbe kann online nur anmelden, wer volljährig ist. Minderjährige"
                " wenden sich bitte mit der Genehmigung des Familiengerichts an das Gewerbeamt."
            )
        return value


class Business(FormModel):
    """The business being registered."""

    model_config = ConfigDict(title="Angaben zum Betrieb")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("handwerksrolle_entry", when="craft_trade", equals=True, required=False),
    )

    trade_name: SingleLine | None = Field(default=None, title="Name des Betriebs", max_length=200)
    legal_form: LegalForm = Field(title="Rechtsform")
    address: PostalAddress = Field(title="Anschrift der Betriebsstätte")
    activity: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)] = Field(
        title="Angemeldete Tätigkeit", max_length=2000
    )
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
        if is_stored(info):
            return value
        day = submitted_on(info)
        if value < day - START_WINDOW:
            raise ValueError(
                "Der Beginn liegt mehr als ein Jahr zurück. Bitte wenden Sie sich an das"
                " Gewerbeamt."
            )
        if value > day + START_WINDOW:
            raise ValueError("Eine Anmeldung ist höchstens ein Jahr vor dem Beginn möglich.")
        return value


class GewerbeanmeldungForm(FormModel):
    """Form version 1 of the Gewerbeanmeldung."""

    model_config = ConfigDict(title="Gewerbeanmeldung")

    applicant: Applicant = Field(title="Angaben zur Person")
    business: Business = Field(title="Angaben zum Betrieb")
    declaration_truthful: Literal[True] = Field(
        title="Ich versichere die Richtigkeit meiner Angaben."
    )


def _contact(form: GewerbeanmeldungForm) -> Contact:
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
    forms={1: GewerbeanmeldungForm},
    contact=_contact,
)
