"""What a fee notice says (``FeeNotice``), as frozen values checked when they are made (pure).

A notice is issued in the name of the competent town — the town where the citizen applied —
whose member file gives the letterhead and the account the fee is paid to. Where a clerk of
another town decided the case (the Wurzen–Augustusburg service centre), the notice says so
and is signed "Im Auftrag" with that clerk's town. Amounts are ``Decimal`` to the cent: a
notice refuses fractions of a cent and a total a transfer cannot carry, rather than rounding
what billing assessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from contracts.calendar import german_date

CENT = Decimal("0.01")
LARGEST_TRANSFER = Decimal("999999999.99")
"""The largest amount an EPC QR code (and a SEPA credit transfer) can carry."""
HOLDER_LENGTH, REMITTANCE_LENGTH = 70, 140
"""What an EPC QR code takes of the payee's name and of the remittance text."""


@dataclass(frozen=True)
class BankAccount:
    """The town's account for fees: to whom, where, and the bank's name if the file has it."""

    holder: str
    iban: str
    """Compact, without spaces (as ``contracts.values.Iban`` stores it)."""
    bic: str
    bank: str = ""

    def __post_init__(self) -> None:
        if not 0 < len(self.holder.strip()) <= HOLDER_LENGTH:
            raise ValueError(f"an account holder's name has 1 to {HOLDER_LENGTH} characters")


@dataclass(frozen=True)
class Letterhead:
    """The competent town, as its member file names it."""

    official_name: str
    """"Große Kreisstadt Wurzen": heads the notice, names the town in the signature."""
    authority: str
    """"Stadtverwaltung Wurzen": where an objection is lodged."""
    office: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    website: str
    account: BankAccount


@dataclass(frozen=True)
class Addressee:
    """Who owes the fee: a name and the lines of a postal address."""

    name: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeeLine:
    """One fee or expense: what it is for, its amount, and where the schedule names it."""

    label: str
    amount: Decimal
    basis: str = ""
    """E.g. "Nr. 3.1 Kostenverzeichnis"; empty when the notice's legal basis says all."""


@dataclass(frozen=True)
class Signatory:
    """The clerk who decided the case, and the official name of that clerk's own town."""

    name: str
    town: str


@dataclass(frozen=True)
class FeeNotice:
    """Everything a fee notice says; the same notice always renders the same PDF."""

    letterhead: Letterhead
    addressee: Addressee
    kassenzeichen: str
    case_number: str
    procedure_title: str
    decided_on: date
    """The day the case was decided: the fee arose then."""
    issued_at: datetime
    """When the notice was made (timezone-aware): its date, and the PDF's creation date."""
    legal_basis: str
    lines: tuple[FeeLine, ...]
    due_on: date
    decided_by: Signatory | None = None
    """None: decided by automation, or nobody to name."""
    replaces: str = ""
    """The Kassenzeichen of a notice this one amends, if any."""
    replaces_dated: date | None = None
    """The day of the notice this one amends (an amendment keeps the Kassenzeichen)."""
    reason: str = ""
    """Why the fee was set anew (an amending notice's Begründung)."""

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must carry a timezone")
        if not self.lines:
            raise ValueError("a fee notice needs at least one fee line")
        if any(line.amount != line.amount.quantize(CENT) for line in self.lines):
            raise ValueError("fee amounts are in whole cents")
        if not CENT <= self.total <= LARGEST_TRANSFER:
            raise ValueError(f"a notice's total must lie between {CENT} and {LARGEST_TRANSFER}")
        if not 0 < len(self.kassenzeichen.strip()) <= REMITTANCE_LENGTH:
            raise ValueError(f"a Kassenzeichen has 1 to {REMITTANCE_LENGTH} characters")

    @property
    def total(self) -> Decimal:
        """The amount owed: the sum of the lines, to the cent."""
        return sum((line.amount for line in self.lines), Decimal("0.00")).quantize(CENT)

    @property
    def date(self) -> date:
        """The notice's date: the day it was made, in Germany."""
        return german_date(self.issued_at)

    @property
    def on_behalf(self) -> bool:
        """A clerk of another town decided: the notice is signed "Im Auftrag"."""
        return self.decided_by is not None and self.decided_by.town != self.letterhead.official_name
