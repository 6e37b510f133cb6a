"""Sondernutzungserlaubnis (special use of a public road, §18 SächsStrG), version 1.

A scaffold, a container, café tables, an advertising board or a stand, construction site
equipment: what, on how many square metres, for which period, where (a point on the map and
a description). The fee is per m² and day or month from the town's schedule (billing's;
``Period.days`` counts the days). The applicant acknowledges the usual conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from contracts.procedures.base import (
    FILE,
    TEXTAREA,
    AttachmentRule,
    Choice,
    Condition,
    FormModel,
    Place,
    ProcedureDefinition,
)
from contracts.procedures.e_invoice import (
    E_INVOICE_CONDITION,
    EInvoiceRequest,
    request_field,
    wanted_field,
)
from contracts.procedures.fields import DECLARATION, Coordinates, Period
from contracts.values import Contact, EmailAddress, PersonName, PostalAddress, SingleLine

LARGEST_AREA = Decimal(5000)
"""m²; more is no online case."""


def _two_places(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("Bitte geben Sie die Fläche mit höchstens zwei Nachkommastellen an.")
    return value


SquareMetres = Annotated[Decimal, Field(gt=0, le=LARGEST_AREA), AfterValidator(_two_places)]
"""An area in m², more than 0, at most ``LARGEST_AREA``, to the hundredth."""


class UseCategory(Choice):
    """What occupies the road."""

    GERUEST = "geruest"
    CONTAINER = "container"
    FREISITZ = "freisitz"
    WERBUNG_VERKAUFSSTAND = "werbung_verkaufsstand"
    BAUSTELLENEINRICHTUNG = "baustelleneinrichtung"
    SONSTIGES = "sonstiges"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.GERUEST: "Gerüst",
            cls.CONTAINER: "Container oder Mulde",
            cls.FREISITZ: "Tische und Stühle (Freisitz)",
            cls.WERBUNG_VERKAUFSSTAND: "Werbeanlage, Aufsteller oder Verkaufsstand",
            cls.BAUSTELLENEINRICHTUNG: "Baustelleneinrichtung",
            cls.SONSTIGES: "Sonstiges",
        }


class Applicant(FormModel):
    """Who applies: a person, or a business with a contact person."""

    model_config = ConfigDict(title="Antragsteller/in")

    company: SingleLine | None = Field(
        default=None, title="Firma (falls Sie für ein Unternehmen beantragen)", max_length=200
    )
    family_name: PersonName = Field(title="Familienname")
    given_names: PersonName = Field(title="Vornamen")
    address: PostalAddress = Field(title="Anschrift")
    email: EmailAddress = Field(title="E-Mail-Adresse")
    phone: SingleLine | None = Field(default=None, title="Telefon (freiwillig)", max_length=40)


class UseLocation(FormModel):
    """Where the road is used."""

    model_config = ConfigDict(title="Ort der Sondernutzung")

    point: Coordinates = Field(title="Ort auf der Karte")
    address: SingleLine = Field(title="Straße und Hausnummer bzw. Lagebeschreibung", max_length=200)


class Use(FormModel):
    """What is put on the road, and how large it is."""

    model_config = ConfigDict(title="Art und Umfang")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("other_category", when="category", equals=UseCategory.SONSTIGES),
    )

    category: UseCategory = Field(title="Art der Sondernutzung")
    other_category: SingleLine | None = Field(
        default=None, title="Welche Sondernutzung?", max_length=200
    )
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)] = Field(
        title="Beschreibung (Zweck, Maße, Teil der Straße: Gehweg, Fahrbahn, Parkfläche)",
        max_length=2000,
        json_schema_extra=TEXTAREA,
    )
    area_m2: SquareMetres = Field(title="Fläche in m²", examples=["12.5"])
    site_plan: UUID | None = Field(
        default=None, title="Lageskizze (freiwillig)", json_schema_extra=FILE
    )


class SondernutzungserlaubnisForm(FormModel):
    """Form version 1 of the Sondernutzungserlaubnis."""

    model_config = ConfigDict(title="Sondernutzungserlaubnis")

    applicant: Applicant = Field(title="Antragsteller/in")
    use: Use = Field(title="Art und Umfang")
    location: UseLocation = Field(title="Ort der Sondernutzung")
    period: Period = Field(title="Zeitraum")
    conditions_acknowledged: Literal[True] = Field(
        title=(
            "Ich habe zur Kenntnis genommen: Die Erlaubnis kann mit Auflagen verbunden werden"
            " (Verkehrssicherung, Freihalten von Rettungswegen, Wiederherstellung der Fläche);"
            " ich hafte für Schäden, die durch die Sondernutzung entstehen."
        )
    )
    declaration_truthful: Literal[True] = Field(title=DECLARATION)


class SondernutzungserlaubnisFormV2(SondernutzungserlaubnisForm):
    """Form version 2: version 1 and, for a business, the fee invoice as an XRechnung."""

    model_config = ConfigDict(title="Sondernutzungserlaubnis")
    conditions: ClassVar[tuple[Condition, ...]] = (
        *SondernutzungserlaubnisForm.conditions,
        E_INVOICE_CONDITION,
    )

    e_invoice_wanted: bool = wanted_field()
    e_invoice: EInvoiceRequest | None = request_field()


def _contact(form: SondernutzungserlaubnisForm) -> Contact:
    person = form.applicant
    return Contact(name=f"{person.given_names} {person.family_name}", email=person.email)


def _place(form: SondernutzungserlaubnisForm) -> Place:
    return Place(points=(form.location.point.point(),), description=form.location.address)


DEFINITION = ProcedureDefinition(
    id="sondernutzungserlaubnis",
    title="Sondernutzungserlaubnis für öffentliche Straßen",
    short_description=(
        "Erlaubnis, eine öffentliche Straße oder einen Gehweg über den Gemeingebrauch hinaus"
        " zu nutzen: Gerüst, Container, Tische und Stühle, Werbeaufsteller, Verkaufsstand."
        " Die Gebühr richtet sich nach Fläche und Dauer."
    ),
    have_at_hand=(
        "Ort, Fläche in m² und Zeitraum der Nutzung",
        "eine Lageskizze, wenn vorhanden (PDF, JPEG oder PNG)",
        "wenn der Verkehr beschränkt wird: zusätzlich eine verkehrsrechtliche Anordnung",
    ),
    legal_basis="§ 18 Sächsisches Straßengesetz (SächsStrG), Sondernutzungssatzung der Gemeinde",
    forms={1: SondernutzungserlaubnisForm, 2: SondernutzungserlaubnisFormV2},
    contact=_contact,
    attachments=AttachmentRule(
        max_count=3,
        hint="Lageskizze oder Fotos als PDF, JPEG oder PNG, höchstens 3 Dateien zu je 5 MB.",
    ),
    place=_place,
    place_field="location.point",
)
