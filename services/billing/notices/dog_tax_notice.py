"""What a dog-tax notice (Hundesteuerbescheid) says, and how it is made from the assessment (pure).

One notice per keeper and year (``DogTaxAssessed``): in the town's name, addressed to the
keeper as the first registration's form names them, the register's dogs with their tax tag,
a line per dog and run of months (the annual rate, the months, the line's part), the year's
tax as assessed, and — instead of one due date — the instalments the statute sets.

How it is paid: where the keeper gave a SEPA mandate the notice says the instalments are
collected by direct debit on their due days (Mandatsreferenz, the town's Gläubiger-ID) and
carries no GiroCode — nothing is to be transferred, and a code would invite paying twice.
Otherwise the GiroCode carries the **first instalment**, the amount the notice demands next:
a code for the whole year would ask for money not yet due, and a keeper who pays every
instalment with it would pay the first one four times. The later instalments are paid by
the table with the same Kassenzeichen (which is all matching needs); paying ahead is allowed.

A line's part is the exact twelfth the assessment recorded, shown to the cent; where those
shown parts do not add up to the total (a share of a year that does not terminate), the notice
says that the total is rounded once — the total is always the assessment's, to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from contracts.calendar import german_date
from contracts.events.billing import DogTaxAssessed
from services.billing.notices.notice import (
    CENT,
    LARGEST_TRANSFER,
    REMITTANCE_LENGTH,
    Addressee,
    Letterhead,
)

DEFAULT_LEGAL_BASIS = "Hundesteuersatzung der Gemeinde (Sächsisches Kommunalabgabengesetz)"


@dataclass(frozen=True)
class TaxedDog:
    """A dog of the register the notice taxes: its name and its tax tag (Hundesteuermarke)."""

    name: str
    tag_number: str


@dataclass(frozen=True)
class TaxLine:
    """One dog for a run of months at one annual rate, and its part of the year's tax."""

    label: str
    """„Bello“, erster Hund, Januar bis Dezember — as the assessment explains it."""
    months: Decimal
    annual_rate: Decimal
    amount: Decimal
    """The line's part, to the cent (shown; the total is rounded once, not per line)."""


@dataclass(frozen=True)
class Due:
    """An instalment: the day it is due, and its amount."""

    on: date
    amount: Decimal


@dataclass(frozen=True)
class DogTaxNotice:
    """Everything a Hundesteuerbescheid says; the same notice always renders the same PDF."""

    letterhead: Letterhead
    addressee: Addressee
    kassenzeichen: str
    year: int
    issued_at: datetime
    legal_basis: str
    dogs: tuple[TaxedDog, ...]
    lines: tuple[TaxLine, ...]
    total: Decimal
    instalments: tuple[Due, ...]
    mandate_reference: str | None = None
    """Set: the instalments are collected by SEPA direct debit under this mandate."""
    creditor_id: str | None = None
    """The town's Gläubiger-ID, named with a direct debit."""

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must carry a timezone")
        if not self.lines or not self.instalments:
            raise ValueError("a dog-tax notice needs its lines and at least one instalment")
        amounts = (self.total, *(due.amount for due in self.instalments))
        if any(amount != amount.quantize(CENT) or amount <= 0 for amount in amounts):
            raise ValueError("the tax and its instalments are whole cents above zero")
        if sum(due.amount for due in self.instalments) != self.total:
            raise ValueError("the instalments must add up to the year's tax")
        if self.total > LARGEST_TRANSFER:
            raise ValueError(f"a notice's total must not exceed {LARGEST_TRANSFER}")
        if not 0 < len(self.kassenzeichen.strip()) <= REMITTANCE_LENGTH:
            raise ValueError(f"a Kassenzeichen has 1 to {REMITTANCE_LENGTH} characters")

    @property
    def date(self) -> date:
        """The notice's date: the day it was made, in Germany."""
        return german_date(self.issued_at)

    @property
    def direct_debit(self) -> bool:
        """Whether the instalments are collected by direct debit (no transfer, no GiroCode)."""
        return self.mandate_reference is not None

    @property
    def first(self) -> Due:
        """The first instalment: what the GiroCode pays."""
        return self.instalments[0]

    @property
    def rounded_once(self) -> bool:
        """Whether the lines' shown parts differ from the total (it is rounded once)."""
        return sum(line.amount for line in self.lines) != self.total


def dog_tax_notice(
    assessed: DogTaxAssessed,
    *,
    town: Letterhead,
    to: Addressee,
    dogs: Sequence[TaxedDog],
    creditor_id: str | None,
    issued_at: datetime,
) -> DogTaxNotice:
    """The keeper's notice for an assessed year."""
    debited = assessed.direct_debit and assessed.mandate_reference is not None
    return DogTaxNotice(
        letterhead=town,
        addressee=to,
        kassenzeichen=assessed.cash_reference,
        year=assessed.year,
        issued_at=issued_at,
        legal_basis=assessed.legal_basis or DEFAULT_LEGAL_BASIS,
        dogs=tuple(dogs),
        lines=tuple(
            TaxLine(
                label=line.what,
                months=line.quantity,
                annual_rate=line.rate,
                amount=line.subtotal.quantize(CENT, ROUND_HALF_UP),
            )
            for line in assessed.lines
        ),
        total=assessed.amount,
        instalments=tuple(Due(each.due, each.amount) for each in assessed.instalments),
        mandate_reference=assessed.mandate_reference if debited else None,
        creditor_id=creditor_id if debited else None,
    )
