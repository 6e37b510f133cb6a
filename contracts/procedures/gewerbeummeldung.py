"""Gewerbeummeldung (change of a registered trade, §14 GewO, form GewA 2), version 1.

What changes — the business moves within the town, its activity is extended, reduced or
changed — and since when. A notice must change something: a form without a move and without
a change of activity is refused at the field that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, Literal, Self

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from contracts.procedures.base import (
    Choice,
    Condition,
    FormModel,
    ProcedureDefinition,
    field_error,
)
from contracts.procedures.e_invoice import (
    E_INVOICE_CONDITION,
    EInvoiceRequest,
    request_field,
    wanted_field,
)
from contracts.procedures.fields import DECLARATION
from contracts.procedures.gewerbe import (
    Activity,
    Establishment,
    LegalForm,
    Trader,
    activity_field,
    plausible_change,
)
from contracts.values import Contact, PostalAddress, SingleLine, is_stored


class ActivityChange(Choice):
    """How the registered activity changes (GewA 2 field 19)."""

    KEINE = "keine"
    ERWEITERUNG = "erweiterung"
    EINSCHRAENKUNG = "einschraenkung"
    WECHSEL = "wechsel"

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """German labels."""
        return {
            cls.KEINE: "Die Tätigkeit bleibt gleich",
            cls.ERWEITERUNG: "Erweiterung der Tätigkeit",
            cls.EINSCHRAENKUNG: "Einschränkung der Tätigkeit",
            cls.WECHSEL: "Wechsel der Tätigkeit",
        }


class ChangedBusiness(FormModel):
    """The registered business and what changes about it."""

    model_config = ConfigDict(title="Angaben zum Betrieb und zur Änderung")
    conditions: ClassVar[tuple[Condition, ...]] = (
        Condition("previous_address", when="relocated", equals=True),
        Condition("previous_activity", when="activity_change", not_in=(ActivityChange.KEINE,)),
    )

    trade_name: SingleLine | None = Field(default=None, title="Name des Betriebs", max_length=200)
    legal_form: LegalForm = Field(title="Rechtsform")
    establishment: Establishment = Field(
        default=Establishment.HAUPTNIEDERLASSUNG, title="Die Ummeldung ist für eine"
    )
    relocated: bool = Field(default=False, title="Der Betrieb wird innerhalb des Ortes verlegt")
    previous_address: PostalAddress | None = Field(
        default=None, title="Bisherige Anschrift der Betriebsstätte"
    )
    address: PostalAddress = Field(title="Anschrift der Betriebsstätte (nach der Änderung)")
    activity_change: ActivityChange = Field(
        default=ActivityChange.KEINE, title="Änderung der Tätigkeit"
    )
    previous_activity: Activity | None = activity_field("Bisher angemeldete Tätigkeit")
    activity: Activity = activity_field("Tätigkeit nach der Änderung (vollständig)")
    change_date: date = Field(title="Die Änderung gilt ab")
    employees_full_time: int = Field(default=0, ge=0, le=100_000, title="Vollzeitbeschäftigte")
    employees_part_time: int = Field(default=0, ge=0, le=100_000, title="Teilzeitbeschäftigte")

    @field_validator("change_date")
    @classmethod
    def _plausible(cls, value: date, info: ValidationInfo) -> date:
        return plausible_change(value, info)

    @model_validator(mode="after")
    def _something_changes(self, info: ValidationInfo) -> Self:
        if is_stored(info) or self.relocated or self.activity_change is not ActivityChange.KEINE:
            return self
        raise field_error(
            ("activity_change",),
            "Bitte geben Sie an, was sich ändert: die Anschrift oder die Tätigkeit.",
            self.activity_change,
        )


class GewerbeummeldungForm(FormModel):
    """Form version 1 of the Gewerbeummeldung."""

    model_config = ConfigDict(title="Gewerbeummeldung")

    trader: Trader = Field(title="Angaben zur Person")
    business: ChangedBusiness = Field(title="Angaben zum Betrieb und zur Änderung")
    declaration_truthful: Literal[True] = Field(title=DECLARATION)


class GewerbeummeldungFormV2(GewerbeummeldungForm):
    """Form version 2: version 1 and, for a business, the fee invoice as an XRechnung."""

    model_config = ConfigDict(title="Gewerbeummeldung")
    conditions: ClassVar[tuple[Condition, ...]] = (
        *GewerbeummeldungForm.conditions,
        E_INVOICE_CONDITION,
    )

    e_invoice_wanted: bool = wanted_field()
    e_invoice: EInvoiceRequest | None = request_field()


def _contact(form: GewerbeummeldungForm) -> Contact:
    return form.trader.contact()


DEFINITION = ProcedureDefinition(
    id="gewerbeummeldung",
    title="Gewerbeummeldung",
    short_description=(
        "Änderung eines angemeldeten Gewerbes (Formular GewA 2): Verlegung des Betriebs"
        " innerhalb des Ortes, Erweiterung, Einschränkung oder Wechsel der Tätigkeit."
    ),
    have_at_hand=(
        "Personalausweis oder Reisepass",
        "die bisherige Gewerbeanmeldung (Anschrift und Tätigkeit, wie angemeldet)",
        "bei einer neuen erlaubnispflichtigen Tätigkeit: die Erlaubnis",
    ),
    legal_basis="§ 14 Gewerbeordnung (GewO), Gewerbeanzeigeverordnung (GewAnzV)",
    forms={1: GewerbeummeldungForm, 2: GewerbeummeldungFormV2},
    contact=_contact,
)
