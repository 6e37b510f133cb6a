"""Events of billing: fee schedules, the fees assessed on decided cases, their notices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import DomainEvent
from contracts.envelope import Ags
from contracts.events.casework import DocumentRef
from contracts.fee_schedules import DogTaxStatute, FeeLine, ScheduleVersion, TownAccount


class FeeScheduleAdopted(DomainEvent):
    """A town's fee schedule (Verwaltungskostensatzung) as it now applies."""

    type_name: ClassVar[str] = "billing.FeeScheduleAdopted"
    aggregate_type: ClassVar[str] = "fee-schedule"

    town: Ags
    fees: dict[str, Decimal] = Field(
        description="Flat fee in EUR per procedure id, of the version in force when adopted"
    )
    versions: list[ScheduleVersion] = Field(
        default_factory=list,
        description="The Verwaltungskostensatzung's versions, each valid from its day until"
        " the next; the one in force on the day of a decision prices it (empty: only the"
        " flat fees of older records)",
    )
    dog_tax: list[DogTaxStatute] = Field(
        default_factory=list,
        description="The Hundesteuersatzung's versions (empty: none recorded)",
    )
    account: TownAccount | None = Field(
        default=None, description="Where the town's fees are paid (none: no fee notices)"
    )


class FeeAssessed(DomainEvent):
    """A fee is owed for a decided case."""

    type_name: ClassVar[str] = "billing.FeeAssessed"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    procedure: str
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = "EUR"
    cash_reference: str = Field(description="Kassenzeichen")
    due_date: date
    assessed_at: datetime
    lines: list[FeeLine] = Field(
        default_factory=list,
        description="How the amount is made up; their subtotals add up to it before the"
        " one rounding, half up, to the cent (empty in older records)",
    )
    legal_basis: str | None = Field(default=None, description="Statute and tariff, German")
    schedule_valid_from: date | None = Field(
        default=None, description="The schedule version that priced the case"
    )
    produkt: str | None = Field(default=None, description="For the town's finance software")
    sachkonto: str | None = Field(default=None, description="For the town's finance software")


class NoFeeDue(DomainEvent):
    """A decided case costs nothing; the reason says why."""

    type_name: ClassVar[str] = "billing.NoFeeDue"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    reason: str
    assessed_at: datetime
    rule: str | None = Field(
        default=None, description="The rule that found no fee assessable, where one did"
    )


class FeeNoticeIssued(DomainEvent):
    """The fee notice (Gebührenbescheid, PDF/A with GiroCode) is written and stored sealed.

    notify mails it to the applicant; the document is sealed with the case's data key, so
    erasing the key makes it unreadable.
    """

    type_name: ClassVar[str] = "billing.FeeNoticeIssued"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    procedure: str
    document: DocumentRef
    cash_reference: str = Field(description="Kassenzeichen, the remittance to quote")
    amount: Decimal = Field(gt=0, decimal_places=2)
    currency: str = "EUR"
    due_date: date
    payee: str = Field(description="Account holder the fee is paid to")
    iban: str = Field(description="The town's IBAN, compact")
    bic: str
    issued_at: datetime
