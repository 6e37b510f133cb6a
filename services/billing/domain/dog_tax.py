"""The annual dog tax of one keeper, per the town's Hundesteuersatzung (pure).

Each month is taxed by the statute version in force on its first day, and only the months
the pro-rata rule counts (``pro_rata``). In a month, the keeper's taxable dogs take places in
the order they came (kept since; the register's order on the same day): the first pays the
first rate, the second the second, every other the further rate. A listed dangerous dog pays
the dangerous rate whatever its place, and takes a place itself where the statute says so
(``dangerous_counts_in_rank``). An exempt dog (an assistance dog …) pays nothing and takes
no place, so the dog after it is still a first dog.

A month costs a twelfth of the annual rate. The lines give each dog's months at its rate;
the total divides the sum of rate × months by twelve once and rounds that once, half up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from contracts.fee_schedules import DogTaxStatute, FeeLine
from services.billing.domain.money import Explained, explained, shown
from services.billing.domain.pro_rata import kept_in_month
from services.billing.domain.schedule_versions import valid_on

Place = Literal["first", "second", "further", "dangerous", "exempt"]
PLACE_WORDS: dict[Place, str] = {
    "first": "erster Hund",
    "second": "zweiter Hund",
    "further": "weiterer Hund",
    "dangerous": "gefährlicher Hund",
    "exempt": "steuerfrei",
}
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
TWELVE = Decimal(12)
UNIT = "Monate von 12"


@dataclass(frozen=True)
class KeptDog:
    """A dog of the keeper, as the register knows it: last day kept ``None`` while kept."""

    name: str
    kept_from: date
    kept_until: date | None = None
    dangerous: bool = False
    exemption: str | None = None
    """Key of the statute's exemptions (``assistenzhund`` …), ``None`` if taxable."""


class UnknownExemption(ValueError):
    """A dog claims an exemption the statute in force does not grant."""


@dataclass(frozen=True)
class _Month:
    dog: int
    month: int
    place: Place
    rate: Decimal
    label: str


def places(
    statute: DogTaxStatute, dogs: Sequence[KeptDog], year: int, month: int
) -> dict[int, Place]:
    """The place of each dog kept in the month (by its index in ``dogs``)."""
    kept = [
        index
        for index, dog in enumerate(dogs)
        if kept_in_month(year, month, dog.kept_from, dog.kept_until, statute.pro_rata)
    ]
    found: dict[int, Place] = {}
    taken = 0
    for index in sorted(kept, key=lambda index: (dogs[index].kept_from, index)):
        dog = dogs[index]
        if dog.exemption is not None:
            found[index] = "exempt"
            continue
        if not dog.dangerous or statute.dangerous_counts_in_rank:
            taken += 1
        found[index] = "dangerous" if dog.dangerous else _nth(taken)
    return found


def _nth(taken: int) -> Place:
    return "first" if taken == 1 else "second" if taken == 2 else "further"


def annual_rate(statute: DogTaxStatute, place: Place) -> Decimal:
    """The annual rate of a place (nothing for an exempt dog)."""
    return Decimal(0) if place == "exempt" else getattr(statute.rates, place)


def _label(statute: DogTaxStatute, dog: KeptDog, place: Place) -> str:
    if place != "exempt":
        return PLACE_WORDS[place]
    if dog.exemption not in statute.exemptions:
        raise UnknownExemption(f"{dog.name}: {dog.exemption!r} is not exempt in {statute.title}")
    return f"steuerfrei ({statute.exemptions[dog.exemption]})"


def _months(statutes: Sequence[DogTaxStatute], dogs: Sequence[KeptDog], year: int) -> list[_Month]:
    found = []
    for month in range(1, 13):
        statute = valid_on(statutes, date(year, month, 1))
        if statute is None:
            continue  # no dog tax levied in this month
        for index, place in places(statute, dogs, year, month).items():
            rate = annual_rate(statute, place)
            label = _label(statute, dogs[index], place)
            found.append(_Month(index, month, place, rate, label))
    return sorted(found, key=lambda taxed: (taxed.dog, taxed.month))


def _line(dog: KeptDog, run: list[_Month]) -> FeeLine:
    first, last = MONTHS[run[0].month - 1], MONTHS[run[-1].month - 1]
    span = first if first == last else f"{first} bis {last}"
    count, rate = Decimal(len(run)), run[0].rate
    return FeeLine(
        what=f"„{dog.name}“, {run[0].label}, {span}",
        quantity=count,
        unit=UNIT,
        rate=rate,
        subtotal=shown(rate * count / TWELVE),
    )


def _runs(months: list[_Month]) -> list[list[_Month]]:
    """Consecutive months of one dog at one place and rate: each run is one line."""
    runs: list[list[_Month]] = []
    for taxed in months:
        last = runs[-1][-1] if runs else None
        if last is not None and (last.dog, last.month + 1, last.place, last.rate, last.label) == (
            taxed.dog,
            taxed.month,
            taxed.place,
            taxed.rate,
            taxed.label,
        ):
            runs[-1].append(taxed)
        else:
            runs.append([taxed])
    return runs


def dog_tax_for_year(
    statutes: Sequence[DogTaxStatute], dogs: Sequence[KeptDog], year: int
) -> Explained:
    """The keeper's dog tax for ``year``: a line per dog and run of months, rounded once."""
    months = _months(statutes, dogs, year)
    runs = _runs(months)
    exact = sum((taxed.rate for taxed in months), Decimal(0)) / TWELVE
    return explained([_line(dogs[run[0].dog], run) for run in runs], exact=exact)
