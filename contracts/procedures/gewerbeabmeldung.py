"""Gewerbeabmeldung (end of a registered trade, §14 GewO, form GewA 3), version 1.

Why the trade ends — given up, moved to another town, a change of legal form, handed over,
the trader's death — and since when. A business that moves away names its new address; a
death is reported by someone else, whose name the form then asks (the e-mail given is theirs).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from contracts.procedures.base import Choice, Condition, FormModel, ProcedureDefinition
from contracts.procedures.fields import DECLARATION
from contracts.procedures.gewerbe import (
    Activity,
    Establishment,
    LegalForm,
    Trader,
    activity_field,
    plausible_change,
)
from contracts.values import Contact, PersonName, PostalAddress, SingleLine


class CessationReason(Choice):
    """Why the trade ends (GewA 3 fields 20–22)."""

    AUFGABE = "aufgabe"
    VERLEGUNG = "verlegung"
    RECHTSFORMWECHSEL = "rechtsformwechsel"
    UEBERGABE = "uebergabe"
    GESELLSCHAFTERAUSTRITT = "gesellschafteraustritt"
    TOD = "tod"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.AUFGABE: "Vollständige Aufgabe des Betriebs",
            cls.VERLEGUNG: "Verlegung in einen anderen Ort",
            cls.RECHTSFORMWECHSEL: "Änderung der Rechtsform",
            cls.UEBERGABE: "Übergabe (Verkauf, Verpachtung, Erbfolge)",
            cls.GESELLSCHAFTERAUSTRITT: "Austritt als Gesellschafter/in",
            cls.TOD: "Tod der Gewerbetreibenden / des Gewerbetreibenden",
        }


class EndedBusiness(FormModel):
    """The registered business and how it ends."""

    model_config = ConfigDict(title="Angaben zum Betrieb und zur Abmeldung")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("new_address", when="reason", equals=CessationReason.VERLEGUNG),
        Condition("successor", when="reason", equals=CessationReason.UEBERGABE, required=False),
        Condition("reported_by", when="reason", equals=CessationReason.TOD),
    )

    trade_name: SingleLine | None = Field(default=None, title="Name des Betriebs", max_length=200)
    legal_form: LegalForm = Field(title="Rechtsform")
    establishment: Establishment = Field(
        default=Establishment.HAUPTNIEDERLASSUNG, title="Die Abmeldung ist für eine"
    )
    address: PostalAddress = Field(title="Anschrift der Betriebsstätte")
    activity: Activity = activity_field("Abgemeldete Tätigkeit")
    cessation_date: date = Field(title="Datum der Betriebsaufgabe")
    reason: CessationReason = Field(title="Grund der Abmeldung")
    new_address: PostalAddress | None = Field(
        default=None, title="Neue Anschrift der Betriebsstätte (anderer Ort)"
    )
    successor: SingleLine | None = Field(
        default=None, title="Name der Nachfolgerin / des Nachfolgers (freiwillig)", max_length=200
    )
    reported_by: PersonName | None = Field(
        default=None,
        title="Name der meldenden Person (z. B. Erbin oder Erbe)",
        description="Die E-Mail-Adresse oben ist dann die der meldenden Person.",
    )
    employees_full_time: int = Field(
        default=0, ge=0, le=100_000, title="Vollzeitbeschäftigte bei der Aufgabe"
    )
    employees_part_time: int = Field(
        default=0, ge=0, le=100_000, title="Teilzeitbeschäftigte bei der Aufgabe"
    )

    @field_validator("cessation_date")
    @classmethod
    def _plausible(cls, value: date, info: ValidationInfo) -> date:
        return plausible_change(value, info)


class GewerbeabmeldungForm(FormModel):
    """Form version 1 of the Gewerbeabmeldung."""

    model_config = ConfigDict(title="Gewerbeabmeldung")

    trader: Trader = Field(title="Angaben zur Person")
    business: EndedBusiness = Field(title="Angaben zum Betrieb und zur Abmeldung")
    declaration_truthful: Literal[True] = Field(title=DECLARATION)


def _contact(form: GewerbeabmeldungForm) -> Contact:
    """The trader — or, after a death, the person who reports it, at the address given."""
    reporter = form.business.reported_by
    if reporter:
        return Contact(name=reporter, email=form.trader.email)
    return form.trader.contact()


DEFINITION = ProcedureDefinition(
    id="gewerbeabmeldung",
    title="Gewerbeabmeldung",
    short_description=(
        "Abmeldung eines Gewerbes, das Sie aufgeben, in einen anderen Ort verlegen oder"
        " übergeben (Formular GewA 3)."
    ),
    have_at_hand=(
        "Personalausweis oder Reisepass",
        "die Gewerbeanmeldung (Anschrift und Tätigkeit, wie angemeldet)",
        "bei Verlegung: die neue Anschrift des Betriebs",
    ),
    legal_basis="§ 14 Gewerbeordnung (GewO), Gewerbeanzeigeverordnung (GewAnzV)",
    forms={1: GewerbeabmeldungForm},
    contact=_contact,
)
