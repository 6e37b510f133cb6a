"""Gewerbeanmeldung, form version 2: closer to the paper form GewA 1 (Anlage 1 GewAnzV).

Added to version 1: birth name, sex, birth place; the business's own phone and e-mail; the
register entry of a company; whether the notice is for a main establishment, a branch or a
dependent branch office (then the main establishment's address); why the trade is registered
(a new business, a takeover — then from whom —, a change of legal form, a new partner, a
move into the town); whether it is a sideline; and, for a craft trade, the number of its
entry in the Handwerksrolle instead of a mere yes. Version 1 stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from contracts.procedures.base import Choice, Condition, FormModel
from contracts.procedures.fields import DECLARATION
from contracts.procedures.gewerbe import (
    BRANCHES,
    EU_EEA_CH,
    Activity,
    Establishment,
    LegalForm,
    Nationality,
    RegulatedActivity,
    activity_field,
    adult_birth_date,
    plausible_start,
)
from contracts.values import EmailAddress, PersonName, PostalAddress, SingleLine


class Sex(Choice):
    """Geschlecht, as GewA 1 asks it."""

    MAENNLICH = "maennlich"
    WEIBLICH = "weiblich"
    DIVERS = "divers"
    OHNE_ANGABE = "ohne_angabe"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.MAENNLICH: "männlich",
            cls.WEIBLICH: "weiblich",
            cls.DIVERS: "divers",
            cls.OHNE_ANGABE: "ohne Angabe",
        }


class Reason(Choice):
    """Why the trade is registered (GewA 1 field 18)."""

    NEUGRUENDUNG = "neugruendung"
    UEBERNAHME = "uebernahme"
    RECHTSFORMWECHSEL = "rechtsformwechsel"
    GESELLSCHAFTEREINTRITT = "gesellschaftereintritt"
    ZUZUG = "zuzug"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.NEUGRUENDUNG: "Neuerrichtung / Neugründung",
            cls.UEBERNAHME: "Übernahme (Kauf, Pacht, Erbfolge)",
            cls.RECHTSFORMWECHSEL: "Änderung der Rechtsform",
            cls.GESELLSCHAFTEREINTRITT: "Eintritt als Gesellschafter/in",
            cls.ZUZUG: "Zuzug aus einem anderen Ort",
        }


class ApplicantV2(FormModel):
    """The person registering the trade (GewA 1 fields 1–9)."""

    model_config = ConfigDict(title="Angaben zur Person")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition(
            "residence_permit_allows_self_employment",
            when="nationality",
            not_in=tuple(sorted(EU_EEA_CH)),
        ),
    )

    family_name: PersonName = Field(title="Familienname")
    birth_name: PersonName | None = Field(default=None, title="Geburtsname (falls abweichend)")
    given_names: PersonName = Field(title="Vornamen")
    sex: Sex | None = Field(default=None, title="Geschlecht")
    birth_date: date = Field(title="Geburtsdatum")
    birth_place: SingleLine = Field(
        title="Geburtsort (bei Geburt im Ausland mit Staat)", max_length=100
    )
    nationality: Nationality = Field(title="Staatsangehörigkeit (ISO-Ländercode, z. B. DE)")
    residence_permit_allows_self_employment: bool | None = Field(
        default=None,
        title="Aufenthaltstitel erlaubt selbständige Tätigkeit",
        description="Nur für Staatsangehörige außerhalb von EU, EWR und Schweiz",
    )
    address: PostalAddress = Field(title="Wohnanschrift")
    phone: SingleLine | None = Field(default=None, title="Telefon (freiwillig)", max_length=40)
    email: EmailAddress = Field(title="E-Mail-Adresse")

    @field_validator("birth_date")
    @classmethod
    def _plausible_adult(cls, value: date, info: ValidationInfo) -> date:
        return adult_birth_date(value, info)


class BusinessV2(FormModel):
    """The business being registered (GewA 1 fields 10–30)."""

    model_config = ConfigDict(title="Angaben zum Betrieb")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition(
            "register_entry",
            when="legal_form",
            one_of=(LegalForm.UG, LegalForm.GMBH),
            required=False,
        ),
        Condition("main_establishment_address", when="establishment", one_of=BRANCHES),
        Condition("previous_owner", when="reason", equals=Reason.UEBERNAHME),
        Condition("handwerksrolle_number", when="craft_trade", equals=True),
    )

    trade_name: SingleLine | None = Field(default=None, title="Name des Betriebs", max_length=200)
    legal_form: LegalForm = Field(title="Rechtsform")
    register_entry: SingleLine | None = Field(
        default=None,
        title="Registereintrag (Registergericht und Nummer)",
        description="Falls schon eingetragen, z. B. „Amtsgericht Leipzig HRB 12345“",
        max_length=100,
    )
    establishment: Establishment = Field(
        default=Establishment.HAUPTNIEDERLASSUNG, title="Die Anmeldung ist für eine"
    )
    main_establishment_address: PostalAddress | None = Field(
        default=None, title="Anschrift der Hauptniederlassung"
    )
    address: PostalAddress = Field(title="Anschrift der Betriebsstätte")
    phone: SingleLine | None = Field(
        default=None, title="Telefon des Betriebs (freiwillig)", max_length=40
    )
    email: EmailAddress | None = Field(default=None, title="E-Mail des Betriebs (freiwillig)")
    activity: Activity = activity_field("Angemeldete Tätigkeit (genau beschreiben)")
    start_date: date = Field(title="Beginn der Tätigkeit")
    reason: Reason = Field(default=Reason.NEUGRUENDUNG, title="Grund der Anmeldung")
    previous_owner: SingleLine | None = Field(
        default=None, title="Name der bisherigen Inhaberin / des bisherigen Inhabers"
    )
    sideline: bool = Field(default=False, title="Die Tätigkeit wird im Nebenerwerb betrieben")
    regulated_activities: list[RegulatedActivity] = Field(
        default_factory=list, title="Erlaubnispflichtige Tätigkeiten"
    )
    craft_trade: bool = Field(default=False, title="Handwerk (zulassungspflichtig, Anlage A HwO)")
    handwerksrolle_number: SingleLine | None = Field(
        default=None,
        title="Nummer der Eintragung in die Handwerksrolle",
        description="Steht auf der Handwerkskarte der Handwerkskammer.",
        max_length=40,
    )
    employees_full_time: int = Field(default=0, ge=0, le=100_000, title="Vollzeitbeschäftigte")
    employees_part_time: int = Field(default=0, ge=0, le=100_000, title="Teilzeitbeschäftigte")

    @field_validator("start_date")
    @classmethod
    def _plausible_start(cls, value: date, info: ValidationInfo) -> date:
        return plausible_start(value, info)


class GewerbeanmeldungFormV2(FormModel):
    """Form version 2 of the Gewerbeanmeldung."""

    model_config = ConfigDict(title="Gewerbeanmeldung")

    applicant: ApplicantV2 = Field(title="Angaben zur Person")
    business: BusinessV2 = Field(title="Angaben zum Betrieb")
    declaration_truthful: Literal[True] = Field(title=DECLARATION)
