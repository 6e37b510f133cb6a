"""Gewerbeanmeldung (trade registration, §14 GewO, form GewA 1), reduced to what the rules need.

Validation messages are German: the citizen reads them next to the field.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from contracts.calendar import today
from contracts.values import PersonName, PostalAddress, SingleLine

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


class Applicant(BaseModel):
    """The person registering the trade."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
    def _not_in_future(cls, value: date) -> date:
        if value > today():
            raise ValueError("Das Geburtsdatum darf nicht in der Zukunft liegen.")
        return value


class Business(BaseModel):
    """The business being registered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


class GewerbeanmeldungForm(BaseModel):
    """Form version 1 of the Gewerbeanmeldung."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="Gewerbeanmeldung")

    applicant: Applicant = Field(title="Angaben zur Person")
    business: Business = Field(title="Angaben zum Betrieb")
    declaration_truthful: Literal[True] = Field(
        title="Ich versichere die Richtigkeit meiner Angaben."
    )
