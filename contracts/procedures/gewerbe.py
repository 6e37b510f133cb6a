"""What the trade forms share (GewA 1, 2 and 3 of the Gewerbeanzeigeverordnung).

The lists of answers, the person who reports, and the date checks of a submission: an adult
trader, a start or change that is neither long past nor far ahead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from contracts.procedures.base import TEXTAREA, Choice, FormModel
from contracts.procedures.fields import plausible_birth_date, within, years_between
from contracts.values import (
    Contact,
    EmailAddress,
    PersonName,
    PostalAddress,
    SingleLine,
    is_stored,
    submitted_on,
)

EU_EEA_CH = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
        *("IS", "LI", "NO", "CH"),
    }
)
"""Nationalities that need no residence title to take up self-employment in Germany."""

Nationality = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

ADULT_AGE = 18
START_WINDOW = timedelta(days=365)
"""A trade starts (or changes) at most a year before its notice (a late one) or a year after."""

Activity = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
"""The activity as the trader describes it (what the chamber and the statistics office read)."""


class RegulatedActivity(Choice):
    """Trades that need a permit before they may be registered automatically."""

    BEWACHUNG = "34a"  # security services
    PFANDLEIHE = "34"  # pawnbroking
    MAKLER_BAUTRAEGER = "34c"  # brokers, property developers
    VERSICHERUNGSVERMITTLUNG = "34d"  # insurance intermediaries
    FINANZANLAGENVERMITTLUNG = "34f"  # financial investment intermediaries
    IMMOBILIARDARLEHENSVERMITTLUNG = "34i"  # mortgage credit intermediaries
    GASTSTAETTE = "gaststaette"  # restaurant with alcohol (SächsGastG)
    SPIELHALLE = "33i"  # gaming halls

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.BEWACHUNG: "Bewachungsgewerbe (§ 34a GewO)",
            cls.PFANDLEIHE: "Pfandleihe (§ 34 GewO)",
            cls.MAKLER_BAUTRAEGER: "Makler, Bauträger, Baubetreuer (§ 34c GewO)",
            cls.VERSICHERUNGSVERMITTLUNG: "Versicherungsvermittlung (§ 34d GewO)",
            cls.FINANZANLAGENVERMITTLUNG: "Finanzanlagenvermittlung (§ 34f GewO)",
            cls.IMMOBILIARDARLEHENSVERMITTLUNG: "Immobiliardarlehensvermittlung (§ 34i GewO)",
            cls.GASTSTAETTE: "Gaststätte mit Alkoholausschank (SächsGastG)",
            cls.SPIELHALLE: "Spielhalle (§ 33i GewO)",
        }


class LegalForm(Choice):
    """Rechtsform of the business."""

    EINZELUNTERNEHMEN = "einzelunternehmen"
    GBR = "gbr"
    UG = "ug"
    GMBH = "gmbh"
    SONSTIGE = "sonstige"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.EINZELUNTERNEHMEN: "Einzelunternehmen",
            cls.GBR: "Gesellschaft bürgerlichen Rechts (GbR)",
            cls.UG: "Unternehmergesellschaft (haftungsbeschränkt)",
            cls.GMBH: "GmbH",
            cls.SONSTIGE: "andere Rechtsform",
        }


class Establishment(Choice):
    """What the notice is for (GewA 1 field 16, GewA 2 and 3 alike)."""

    HAUPTNIEDERLASSUNG = "hauptniederlassung"
    ZWEIGNIEDERLASSUNG = "zweigniederlassung"
    UNSELBSTAENDIGE_ZWEIGSTELLE = "unselbstaendige_zweigstelle"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.HAUPTNIEDERLASSUNG: "Hauptniederlassung",
            cls.ZWEIGNIEDERLASSUNG: "Zweigniederlassung",
            cls.UNSELBSTAENDIGE_ZWEIGSTELLE: "unselbständige Zweigstelle",
        }


BRANCHES = (Establishment.ZWEIGNIEDERLASSUNG, Establishment.UNSELBSTAENDIGE_ZWEIGSTELLE)
"""Establishments that belong to a main one elsewhere (whose address the form then asks)."""


def adult_birth_date(value: date, info: ValidationInfo) -> date:
    """A plausible birth date of an adult on the day of the submission."""
    plausible_birth_date(value, info)
    if not is_stored(info) and years_between(value, submitted_on(info)) < ADULT_AGE:
        raise ValueError(
            "Ein Gewerbe kann online nur anmelden, wer volljährig ist. Minderjährige"
            " wenden sich bitte mit der Genehmigung des Familiengerichts an das Gewerbeamt."
        )
    return value


def plausible_start(value: date, info: ValidationInfo) -> date:
    """A trade's start: at most a year late, at most a year ahead (at submission)."""
    if is_stored(info):
        return value
    day = submitted_on(info)
    if value < day - START_WINDOW:
        raise ValueError(
            "Der Beginn liegt mehr als ein Jahr zurück. Bitte wenden Sie sich an das Gewerbeamt."
        )
    if value > day + START_WINDOW:
        raise ValueError("Eine Anmeldung ist höchstens ein Jahr vor dem Beginn möglich.")
    return value


def plausible_change(value: date, info: ValidationInfo) -> date:
    """The day a trade changes or ends: at most a year ahead, at most a year late."""
    return within(value, info, back=START_WINDOW, ahead=START_WINDOW)


class Trader(FormModel):
    """The trader whose registration changes or ends (GewA 2 and 3, fields 1–9 in short)."""

    model_config = ConfigDict(title="Angaben zur Person")

    family_name: PersonName = Field(title="Familienname")
    given_names: PersonName = Field(title="Vornamen")
    birth_date: date = Field(title="Geburtsdatum")
    address: PostalAddress = Field(title="Wohnanschrift")
    email: EmailAddress = Field(title="E-Mail-Adresse")
    phone: SingleLine | None = Field(default=None, title="Telefon (freiwillig)", max_length=40)

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date, info: ValidationInfo) -> date:
        return plausible_birth_date(value, info)

    def contact(self) -> Contact:
        """Whom notify writes to."""
        return Contact(name=f"{self.given_names} {self.family_name}", email=self.email)


def activity_field(title: str) -> Any:
    """The ``Field`` of a described activity (several lines, 3 to 2,000 characters)."""
    return Field(title=title, max_length=2000, json_schema_extra=TEXTAREA)
