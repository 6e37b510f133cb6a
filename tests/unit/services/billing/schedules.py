"""Fee schedules and dog-tax statutes for billing's tests, small enough to read in a test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from contracts.fee_schedules import (
    AreaRate,
    AreaTimeFee,
    DogTaxRates,
    DogTaxStatute,
    FeeItem,
    FlatFee,
    RangeFee,
    Reminders,
    ScheduleVersion,
)

BOOKING: dict[str, Any] = {"produkt": "12.2.0.02", "sachkonto": "43110000"}
REMINDERS = Reminders(fee=Decimal("5.00"), grace_days=7, produkt="61.1.0.01", sachkonto="45610000")


def flat(amount: str, **extra: Any) -> FlatFee:
    """A flat fee under Tarifstelle 1."""
    return FlatFee(amount=Decimal(amount), tariff="Tarifstelle 1", **BOOKING, **extra)


def ranged(minimum: str = "10.20", maximum: str = "767.00", **extra: Any) -> RangeFee:
    """The GebOSt range of a traffic order, unless told otherwise."""
    return RangeFee(
        minimum=Decimal(minimum),
        maximum=Decimal(maximum),
        tariff="Gebühren-Nr. 264 der Anlage",
        statute="GebOSt",
        **BOOKING,
        **extra,
    )


Per = Literal["day", "week", "month"]


def by_area(minimum: str | None = None, **rates: tuple[str, Per]) -> AreaTimeFee:
    """Sondernutzung: ``geruest=("0.60", "week")`` …; ``sonstiges`` is the default category."""
    return AreaTimeFee(
        rates={name: AreaRate(rate=Decimal(rate), per=per) for name, (rate, per) in rates.items()},
        minimum=None if minimum is None else Decimal(minimum),
        default_category="sonstiges" if "sonstiges" in rates else None,
        tariff="Gebührenverzeichnis Nr. 1",
        statute="Sondernutzungssatzung",
        produkt="54.1.0.01",
        sachkonto="43210000",
    )


def version(valid_from: date, **items: FeeItem) -> ScheduleVersion:
    """A version of the Verwaltungskostensatzung; keyword names with ``_`` for ``-``."""
    return ScheduleVersion(
        valid_from=valid_from,
        title=f"Verwaltungskostensatzung vom {valid_from:%d.%m.%Y}",
        items={name.replace("_", "-"): item for name, item in items.items()},
        reminders=REMINDERS,
    )


def statute(
    valid_from: date = date(2020, 1, 1),
    *,
    first: str = "96.00",
    second: str = "144.00",
    further: str = "180.00",
    dangerous: str = "720.00",
    **options: Any,
) -> DogTaxStatute:
    """A Hundesteuersatzung: 96 / 144 / 180 €, 720 € for a dangerous dog, quarterly."""
    settings: dict[str, Any] = {
        "exemptions": {"assistenzhund": "Assistenzhund"},
        "due_days": ["02-15", "05-15", "08-15", "11-15"],
        **options,
    }
    return DogTaxStatute(
        valid_from=valid_from,
        title=f"Hundesteuersatzung vom {valid_from:%d.%m.%Y}",
        rates=DogTaxRates(
            first=Decimal(first),
            second=Decimal(second),
            further=Decimal(further),
            dangerous=Decimal(dangerous),
        ),
        produkt="61.1.0.01",
        sachkonto="40320000",
        **settings,
    )
