"""Events of billing: fee schedules and the fees assessed on decided cases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import DomainEvent
from contracts.envelope import Ags


class FeeScheduleAdopted(DomainEvent):
    """A town's fee schedule (Verwaltungskostensatzung) as it now applies."""

    type_name: ClassVar[str] = "billing.FeeScheduleAdopted"
    aggregate_type: ClassVar[str] = "fee-schedule"

    town: Ags
    fees: dict[str, Decimal] = Field(description="Fee in EUR per procedure id")


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


class NoFeeDue(DomainEvent):
    """A decided case costs nothing; the reason says why."""

    type_name: ClassVar[str] = "billing.NoFeeDue"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    reason: str
    assessed_at: datetime
