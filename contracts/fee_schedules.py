"""What a town's fee schedule and dog-tax statute say, as billing records them (values).

A town's Verwaltungskostensatzung is a series of versions, each valid from its date until the
next one; the version valid on the day of a decision applies to it. An item of a version
prices one procedure: a flat fee, a range the clerk fixes the amount within (GebOSt), or a
rate per m² and period by category (Sondernutzung). The Hundesteuersatzung is a series of
versions too. Billing's ``FeeScheduleAdopted`` carries both, so the log alone tells which
schedule priced a case; ``FeeLine`` is one line of the explanation every amount comes with.

Amounts are EUR to the cent; rates per m² may carry four places (0.0125 €/m² and day).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from contracts.values import Bic, Iban

Money = Annotated[Decimal, Field(ge=0, decimal_places=2, max_digits=11)]
"""EUR to the cent, not negative."""
Rate = Annotated[Decimal, Field(gt=0, decimal_places=4, max_digits=11)]
"""EUR per unit, up to four places."""
Produkt = Annotated[str, Field(pattern=r"^\d{2}\.\d\.\d(\.\d{2})?$", examples=["12.2.0.02"])]
"""Product of the Saxon product framework (Produktrahmen) the revenue belongs to."""
Sachkonto = Annotated[str, Field(pattern=r"^\d{8}$", examples=["43110000"])]
"""Revenue account of the Saxon municipal chart of accounts (Kontenrahmen)."""
Text = Annotated[str, Field(min_length=1, max_length=300)]


def _a_month_and_day(value: str) -> str:
    month, day = int(value[:2]), int(value[3:])
    date(2001, month, day)  # a year without 29 February: the day must exist every year
    return value


DueDay = Annotated[
    str,
    Field(pattern=r"^\d{2}-\d{2}$", examples=["02-15"]),
    AfterValidator(_a_month_and_day),
]
"""A due day of every year, ``MM-DD``."""


class _Item(BaseModel):
    """What every item names: where it is in the statute and where its revenue is booked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tariff: Text = Field(description="Tarifstelle or Gebühren-Nr., German")
    statute: Text | None = Field(
        default=None, description="The legal source when it is not the town's schedule (GebOSt)"
    )
    produkt: Produkt
    sachkonto: Sachkonto
    rejection_fee: Money | None = Field(default=None, description="None: a rejection is free")
    withdrawal_fee: Money | None = Field(default=None, description="None: a withdrawal is free")


class FlatFee(_Item):
    """One amount per case."""

    kind: Literal["flat"] = "flat"
    amount: Money


class RangeFee(_Item):
    """A range; the clerk fixes the amount within it (Rahmengebühr, e.g. GebOSt Nr. 264)."""

    kind: Literal["range"] = "range"
    minimum: Money
    maximum: Money

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.minimum > self.maximum:
            raise ValueError("minimum must not exceed maximum")
        return self


class AreaRate(BaseModel):
    """EUR per m² and started period of one category of use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate: Rate
    per: Literal["day", "week", "month"]


class AreaTimeFee(_Item):
    """Area × started periods × rate of the category, at least ``minimum`` (Sondernutzung)."""

    kind: Literal["area_time"] = "area_time"
    rates: dict[str, AreaRate] = Field(min_length=1, description="By category of use")
    minimum: Money | None = None
    default_category: str | None = Field(
        default=None, description="Applies when the decision names no category"
    )

    @model_validator(mode="after")
    def _default_is_rated(self) -> Self:
        if self.default_category is not None and self.default_category not in self.rates:
            raise ValueError(f"default_category {self.default_category!r} has no rate")
        return self


FeeItem = Annotated[FlatFee | RangeFee | AreaTimeFee, Field(discriminator="kind")]


class Reminders(BaseModel):
    """What a reminder (Mahnung) costs, how long after the due date it waits, how long it
    gives to pay, and when an unpaid claim goes to enforcement (Vollstreckung).

    Without the last three keys a town gets the Saxon practice: a week to pay after the
    reminder, enforcement 14 days after it, late-payment surcharges (Säumniszuschläge,
    § 240 AO) charged. Produkt and Sachkonto take reminder fees and surcharges alike.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fee: Money
    grace_days: int = Field(ge=0, le=90, description="Days after the due date")
    produkt: Produkt
    sachkonto: Sachkonto
    term_days: int = Field(
        default=7, ge=1, le=60, description="Days the reminder gives to pay, from its day"
    )
    enforcement_after_days: int = Field(
        default=14, ge=1, le=180, description="Days after the reminder until enforcement"
    )
    late_surcharges: bool = Field(
        default=True, description="Whether Säumniszuschläge are charged (1 % per started month)"
    )

    @model_validator(mode="after")
    def _enforcement_after_the_term(self) -> Self:
        if self.enforcement_after_days < self.term_days:
            raise ValueError("enforcement_after_days must not end before term_days")
        return self


class ScheduleVersion(BaseModel):
    """One version of the Verwaltungskostensatzung, valid from ``valid_from`` until the next."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    valid_from: date
    title: Text = Field(description="As the statute is cited, German")
    items: dict[str, FeeItem] = Field(description="By procedure id")
    reminders: Reminders


class DogTaxRates(BaseModel):
    """EUR per year and dog, by its place among the keeper's dogs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: Money
    second: Money
    further: Money
    dangerous: Money = Field(description="A listed dangerous breed, whatever its place")


class DogTaxStatute(BaseModel):
    """One version of the Hundesteuersatzung, valid from ``valid_from`` until the next."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    valid_from: date
    title: Text
    rates: DogTaxRates
    exemptions: dict[str, Text] = Field(
        default_factory=dict, description="Exempt dogs: German label by key (assistenzhund …)"
    )
    pro_rata: Literal["full_months", "started_months"] = Field(
        default="full_months",
        description="Which months of a part year count: those the dog was kept throughout,"
        " or every month it was kept at all",
    )
    dangerous_counts_in_rank: bool = Field(
        default=True, description="Whether a dangerous dog takes a place (first, second …)"
    )
    due_days: list[DueDay] = Field(
        min_length=1, max_length=12, description="Instalments: due days in every year"
    )
    produkt: Produkt
    sachkonto: Sachkonto

    @model_validator(mode="after")
    def _due_days_ordered(self) -> Self:
        if self.due_days != sorted(set(self.due_days)):
            raise ValueError("due_days must be in calendar order, each once")
        return self


class FeeLine(BaseModel):
    """One line of an amount's explanation: what, how much of it, at which rate, and its part.

    ``subtotal`` is the line's part before the one rounding of the total, so it may carry
    more than two places (a share of a year that does not terminate, 7/12 of 100 €, to ten);
    the lines' subtotals add up to the unrounded total.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    what: str = Field(description="German, e.g. „Gerüst, 18 m² × 2 angefangene Wochen“")
    quantity: Decimal
    unit: str = Field(description="German, e.g. „m² × Woche“, „Monate von 12“")
    rate: Decimal
    subtotal: Decimal


def creditor_check_digits(country: str, national_id: str) -> str:
    """ISO 7064 MOD 97-10 over the national part and the country, as for an IBAN."""
    digits = "".join(str(int(c, 36)) for c in f"{national_id}{country}00".upper())
    return f"{98 - int(digits) % 97:02d}"


def _a_creditor_id(value: str) -> str:
    compact = "".join(value.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", compact):
        raise ValueError("a SEPA creditor identifier looks like DE98ZZZ09999999999")
    country, check, national = compact[:2], compact[2:4], compact[7:]
    if creditor_check_digits(country, national) != check:
        raise ValueError(f"{compact}: the check digits do not match (SEPA creditor identifier)")
    return compact


CreditorId = Annotated[str, AfterValidator(_a_creditor_id), Field(examples=["DE98ZZZ09999999999"])]
"""Gläubiger-Identifikationsnummer: who collects by SEPA direct debit (the business code, the
three characters after the check digits, is not part of the check)."""


class TownAccount(BaseModel):
    """The account a town's fees are paid to (its Stadtkasse or Gemeindekasse)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    holder: str = Field(min_length=1, max_length=70, description="Account holder, e.g. Stadtkasse")
    iban: Iban
    bic: Bic
    bank: str = Field(default="", max_length=100)
    creditor_id: CreditorId | None = Field(
        default=None,
        description="Gläubiger-ID for SEPA direct debits (none: the town collects no debits)",
    )
