"""An annual tax in the instalments its statute allows (pure).

The statute names the due days of every year (one: yearly; four: quarterly). The year's tax
is split into equal shares to the cent; the cents that do not divide go to the first
instalment (100 € in three: 33,34 €, 33,33 €, 33,33 €), so the shares always add up to the
assessed amount. Instalments whose day has passed, or comes sooner than a month after the
notice, are due together one month after it — the usual wording "für zurückliegende
Fälligkeiten innerhalb eines Monats nach Bekanntgabe des Bescheides".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from contracts.calendar import months_after
from contracts.fee_schedules import DogTaxStatute
from services.billing.domain.money import CENT


@dataclass(frozen=True)
class Instalment:
    """An amount due on a day."""

    due: date
    amount: Decimal


def due_dates(statute: DogTaxStatute, year: int) -> tuple[date, ...]:
    """The statute's due days in ``year``."""
    return tuple(date(year, int(day[:2]), int(day[3:])) for day in statute.due_days)


def equal_shares(total: Decimal, count: int) -> tuple[Decimal, ...]:
    """``count`` shares to the cent adding up to ``total``; the first takes the odd cents."""
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return (total - share * (count - 1), *([share] * (count - 1)))


def instalment_plan(
    total: Decimal, statute: DogTaxStatute, year: int, notice_day: date
) -> tuple[Instalment, ...]:
    """When what is due of a year's tax assessed by a notice on ``notice_day``."""
    if total == 0:
        return ()
    catch_up = months_after(notice_day, 1)
    shares = equal_shares(total, len(statute.due_days))
    dates = due_dates(statute, year)
    planned = [Instalment(due, share) for due, share in zip(dates, shares, strict=True)]
    late = sum((each.amount for each in planned if each.due < catch_up), Decimal(0))
    later = tuple(each for each in planned if each.due >= catch_up)
    return ((Instalment(catch_up, late),) if late else ()) + later
