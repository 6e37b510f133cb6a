"""Verkehrsrechtliche Anordnung (traffic order for road works, §45 (6) StVO), version 1.

A construction company applies: where (a street, a section from one point to another, a
description), when (a period and the daily working hours), which restriction, and how the
traffic is to be controlled — by a standard plan of the RSA 21 (a Regelplan such as
``B I/1``) or by its own sign plan, uploaded as a file. A full closure or a detour needs the
detour described. Urgent applications exist: ``is_urgent`` says which (flagged by the
applicant, or starting within ``URGENT_WITHIN_DAYS`` days of the submission).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from typing import Annotated, Any, ClassVar, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from contracts.procedures.base import (
    FILE,
    TEXTAREA,
    AttachmentRule,
    Choice,
    Condition,
    FormModel,
    Place,
    ProcedureDefinition,
    field_error,
)
from contracts.procedures.e_invoice import (
    E_INVOICE_CONDITION,
    EInvoiceRequest,
    request_field,
    wanted_field,
)
from contracts.procedures.fields import DECLARATION, Company, Period, Section
from contracts.values import Contact, SingleLine, is_stored

URGENT_WITHIN_DAYS = 5
"""An application whose works start within this many days of its submission is urgent."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]

_REGELPLAN = re.compile(r"^([BCD])\s*(I{1,3}|IV|V)\s*/\s*([1-9][0-9]?)([A-Z]?)$")


def _a_regelplan(value: str) -> str:
    """``B I/1``, ``b ii / 3`` → ``B II/3``: the part (B inside, C outside built-up areas, D
    motorways), the group in Roman numerals, the number, an optional variant letter."""
    found = _REGELPLAN.match(value.strip().upper())
    if found is None:
        raise ValueError(
            "Bitte geben Sie den Regelplan der RSA 21 an, z. B. „B I/1“ oder „B II/3“."
        )
    part, group, number, variant = found.groups()
    return f"{part} {group}/{number}{variant.lower()}"


Regelplan = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=20),
    AfterValidator(_a_regelplan),
    Field(examples=["B I/1"]),
]
"""A standard traffic-control plan of the RSA 21, normalised to ``B II/3``."""


class Restriction(Choice):
    """The kind of restriction the works need."""

    HALBSEITIGE_SPERRUNG = "halbseitige_sperrung"
    VOLLSPERRUNG = "vollsperrung"
    FAHRSTREIFENEINENGUNG = "fahrstreifeneinengung"
    GEHWEGSPERRUNG = "gehwegsperrung"
    UMLEITUNG = "umleitung"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.HALBSEITIGE_SPERRUNG: "Halbseitige Sperrung",
            cls.VOLLSPERRUNG: "Vollsperrung",
            cls.FAHRSTREIFENEINENGUNG: "Einengung des Fahrstreifens",
            cls.GEHWEGSPERRUNG: "Sperrung des Gehwegs",
            cls.UMLEITUNG: "Umleitung",
        }


NEEDS_DETOUR = (Restriction.VOLLSPERRUNG, Restriction.UMLEITUNG)


class SignPlan(Choice):
    """How the traffic around the works is controlled."""

    REGELPLAN = "regelplan"
    EIGENER_PLAN = "eigener_plan"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.REGELPLAN: "nach einem Regelplan der RSA 21",
            cls.EIGENER_PLAN: "nach einem eigenen Verkehrszeichenplan (als Datei)",
        }


class Location(FormModel):
    """Where the works are."""

    model_config = ConfigDict(title="Ort der Arbeiten")

    street: SingleLine = Field(title="Straße", max_length=200)
    section: Section = Field(title="Abschnitt (von – bis)")
    description: Text = Field(
        title="Beschreibung der Lage",
        description="z. B. „vor Hausnummer 12 bis 20, Fahrbahn stadtauswärts“",
        json_schema_extra=TEXTAREA,
    )


class WorkingHours(FormModel):
    """When the works are done each day."""

    model_config = ConfigDict(title="Arbeitszeiten")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("daily_from", when="round_the_clock", equals=False),
        Condition("daily_until", when="round_the_clock", equals=False),
    )

    round_the_clock: bool = Field(default=False, title="Die Beschränkung gilt rund um die Uhr")
    daily_from: time | None = Field(default=None, title="Täglich von")
    daily_until: time | None = Field(
        default=None,
        title="Täglich bis",
        description="Früher als der Beginn: die Arbeiten gehen über Mitternacht.",
    )
    weekends: bool = Field(default=False, title="Auch an Wochenenden und Feiertagen")

    @model_validator(mode="after")
    def _not_empty(self, info: ValidationInfo) -> Self:
        if is_stored(info) or self.daily_from is None or self.daily_from != self.daily_until:
            return self
        raise field_error(
            ("daily_until",), "Beginn und Ende der Arbeitszeit sind gleich.", self.daily_until
        )


class TrafficControl(FormModel):
    """The restriction and how traffic is led around it."""

    model_config = ConfigDict(title="Verkehrsbeschränkung")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("detour", when="restriction", one_of=NEEDS_DETOUR),
        Condition("regelplan", when="sign_plan", equals=SignPlan.REGELPLAN),
        Condition("sign_plan_file", when="sign_plan", equals=SignPlan.EIGENER_PLAN),
    )

    restriction: Restriction = Field(title="Art der Beschränkung")
    detour: Text | None = Field(
        default=None, title="Beschreibung der Umleitung", json_schema_extra=TEXTAREA
    )
    sign_plan: SignPlan = Field(title="Verkehrszeichenplan")
    regelplan: Regelplan | None = Field(default=None, title="Regelplan (RSA 21)")
    sign_plan_file: UUID | None = Field(
        default=None, title="Eigener Verkehrszeichenplan (PDF)", json_schema_extra=FILE
    )
    traffic_lights: bool = Field(default=False, title="Baustellenampel (Lichtsignalanlage)")
    bus_stops_affected: bool = Field(default=False, title="Bushaltestellen sind betroffen")


class VerkehrsrechtlicheAnordnungForm(FormModel):
    """Form version 1 of the Verkehrsrechtliche Anordnung."""

    model_config = ConfigDict(title="Verkehrsrechtliche Anordnung")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("urgent_reason", when="urgent", equals=True),
    )

    applicant: Company = Field(title="Antragsteller (Unternehmen)")
    location: Location = Field(title="Ort der Arbeiten")
    period: Period = Field(title="Zeitraum der Arbeiten")
    working_hours: WorkingHours = Field(title="Arbeitszeiten")
    traffic: TrafficControl = Field(title="Verkehrsbeschränkung")
    urgent: bool = Field(default=False, title="Eilantrag")
    urgent_reason: Text | None = Field(
        default=None, title="Begründung der Eilbedürftigkeit", json_schema_extra=TEXTAREA
    )
    remarks: Text | None = Field(
        default=None, title="Bemerkungen (freiwillig)", json_schema_extra=TEXTAREA
    )
    declaration_truthful: Literal[True] = Field(title=DECLARATION)


class VerkehrsrechtlicheAnordnungFormV2(VerkehrsrechtlicheAnordnungForm):
    """Form version 2: version 1 and, for a business, the fee invoice as an XRechnung."""

    model_config = ConfigDict(title="Verkehrsrechtliche Anordnung")
    conditions: ClassVar[tuple[Condition, ...]] = (
        *VerkehrsrechtlicheAnordnungForm.conditions,
        E_INVOICE_CONDITION,
    )

    e_invoice_wanted: bool = wanted_field()
    e_invoice: EInvoiceRequest | None = request_field()


def is_urgent(form: VerkehrsrechtlicheAnordnungForm, submitted: date) -> bool:
    """Urgent: flagged by the applicant, or the works start within ``URGENT_WITHIN_DAYS``.

    ``submitted`` is the day of the submission (``ApplicationSubmitted.submitted_at`` as a
    German date), never the day a stored case is read: urgency is a fact of the application.
    """
    return form.urgent or (form.period.start - submitted).days < URGENT_WITHIN_DAYS


def _contact(form: VerkehrsrechtlicheAnordnungForm) -> Contact:
    return form.applicant.contact()


def _place(form: VerkehrsrechtlicheAnordnungForm) -> Place:
    section = form.location.section
    return Place(
        points=(section.start.point(), section.end.point()),
        description=f"{form.location.street}: {form.location.description}",
    )


DEFINITION = ProcedureDefinition(
    id="verkehrsrechtliche-anordnung",
    title="Verkehrsrechtliche Anordnung für Arbeiten im Straßenraum",
    short_description=(
        "Antrag auf eine verkehrsrechtliche Anordnung für Bauarbeiten, die den Verkehr"
        " beschränken (Sperrung, Einengung, Umleitung). Bitte mindestens zwei Wochen vor"
        " Beginn stellen; Eilanträge sind möglich."
    ),
    have_at_hand=(
        "Ort und Abschnitt der Arbeiten (Straße, von – bis)",
        "Zeitraum und Arbeitszeiten",
        "den Regelplan der RSA 21 (z. B. „B I/1“) oder einen eigenen Verkehrszeichenplan als PDF",
        "bei Vollsperrung: die geplante Umleitung",
        "die Ansprechperson der Baustelle mit Telefonnummer",
    ),
    legal_basis="§ 45 Abs. 6 Straßenverkehrs-Ordnung (StVO)",
    forms={1: VerkehrsrechtlicheAnordnungForm, 2: VerkehrsrechtlicheAnordnungFormV2},
    contact=_contact,
    attachments=AttachmentRule(
        max_count=5,
        max_bytes=10 * 1024 * 1024,
        content_types=frozenset({"application/pdf", "image/jpeg", "image/png"}),
        hint="Verkehrszeichenplan und Lagepläne als PDF, JPEG oder PNG, höchstens 5 Dateien"
        " zu je 10 MB.",
    ),
    place=_place,
    place_field="location.section",
)
