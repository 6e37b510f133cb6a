"""Which version of a town's statute applies on a day (pure).

A statute changes by a new version valid from a date; cases decided before that date keep
the old one, even when they are assessed later (a decision on 31 December is priced by
December's schedule, whenever billing gets to it). So a fee is looked up by the day of the
decision in the German calendar, never by the day of the assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from contracts.fee_schedules import FeeItem, FlatFee, ScheduleVersion


class Dated(Protocol):
    """A version of a statute: valid from its day until the next version's."""

    @property
    def valid_from(self) -> date: ...


V = TypeVar("V", bound=Dated)


def valid_on(versions: Sequence[V], day: date) -> V | None:
    """The version in force on ``day``: the latest valid from that day or earlier."""
    in_force = [version for version in versions if version.valid_from <= day]
    return max(in_force, key=lambda version: version.valid_from, default=None)


def flat_fees(version: ScheduleVersion) -> dict[str, Decimal]:
    """The version's flat fees by procedure (what a catalogue can state as one amount)."""
    return {
        procedure: item.amount
        for procedure, item in version.items.items()
        if isinstance(item, FlatFee)
    }


def legal_basis(version: ScheduleVersion, item: FeeItem) -> str:
    """Where an item's fee is laid down, as a notice cites it (German)."""
    return f"{item.statute or version.title}, {item.tariff}"
