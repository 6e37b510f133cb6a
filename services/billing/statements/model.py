"""What a bank statement says, as frozen values: documents, statements, entries, transactions.

Only what reconciling payments with claims needs is kept; everything else in the file is
ignored (balances, the bank's addresses, purpose codes). Names follow the ISO 20022 elements
they come from, in English words; the element is named in each field's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class MessageKind(StrEnum):
    """The two messages a bank sends about an account's movements."""

    STATEMENT = "camt.053"
    """Bank to Customer Statement: the day's (or month's) booked entries, with balances."""
    NOTIFICATION = "camt.054"
    """Bank to Customer Debit/Credit Notification: single movements, often a batch's details."""


class Direction(StrEnum):
    """``CdtDbtInd``: money in (credit) or out (debit) of the town's account."""

    CREDIT = "CRDT"
    DEBIT = "DBIT"


@dataclass(frozen=True, slots=True)
class Party:
    """A debtor or creditor: ``Nm`` and the account's ``IBAN`` (either may be missing)."""

    name: str | None = None
    iban: str | None = None


@dataclass(frozen=True, slots=True)
class Remittance:
    """``RmtInf``: what the payer wrote as the purpose of the payment."""

    unstructured: tuple[str, ...] = ()
    """``Ustrd`` lines, as the bank delivered them (up to 140 characters each)."""
    creditor_references: tuple[str, ...] = ()
    """``Strd/CdtrRefInf/Ref``: structured references (e.g. an RF creditor reference)."""

    def texts(self) -> tuple[str, ...]:
        """Everything the payer wrote, structured references first."""
        return self.creditor_references + self.unstructured


@dataclass(frozen=True, slots=True)
class Transaction:
    """``NtryDtls/TxDtls``: one payment inside an entry (a batch entry has several)."""

    amount: Decimal | None
    """``AmtDtls/TxAmt/Amt`` (camt.05x.001.02) or ``Amt`` (.08); ``None`` when not given."""
    end_to_end_id: str | None = None
    """``Refs/EndToEndId`` (``NOTPROVIDED`` is read as none)."""
    account_servicer_reference: str | None = None
    """``Refs/AcctSvcrRef``: the bank's reference of this transaction."""
    mandate_id: str | None = None
    """``Refs/MndtId``: the SEPA mandate of a direct debit."""
    remittance: Remittance = Remittance()
    debtor: Party = Party()
    """``RltdPties/Dbtr`` and ``DbtrAcct``: who paid (for a credit)."""
    creditor: Party = Party()
    """``RltdPties/Cdtr`` and ``CdtrAcct``: who was paid (for a debit)."""
    return_reason: str | None = None
    """``RtrInf/Rsn/Cd``: why a payment came back (``AC04`` account closed, ``MD06`` …)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """``Ntry``: one movement on the account, as booked by the bank."""

    position: int
    """Where it stands in its statement (1-based), so a clerk can find it in the file."""
    amount: Decimal
    currency: str
    direction: Direction
    reversal: bool
    """``RvslInd``: the bank reverses an earlier entry (a debit reversing a credit)."""
    status: str
    """``Sts`` (``BOOK``, ``PDNG``, ``INFO``); only booked entries are money on the account."""
    booking_date: date | None
    value_date: date | None
    entry_reference: str | None = None
    """``NtryRef``: the entry's reference within the statement, when the bank gives one."""
    account_servicer_reference: str | None = None
    """``AcctSvcrRef``: the bank's unique reference of the booking."""
    bank_transaction_code: str | None = None
    """``BkTxCd``: ``PMNT/RCDT/ESCT`` (domain/family/sub-family) or the German ``NTRF+166…``."""
    batch_size: int | None = None
    """``NtryDtls/Btch/NbOfTxs``: how many payments a batch entry sums up."""
    additional_information: str | None = None
    """``AddtlNtryInf``: the bank's booking text (``GUTSCHR. UEBERWEISUNG`` …)."""
    transactions: tuple[Transaction, ...] = ()

    @property
    def booked(self) -> bool:
        """Whether the money is on the account (and not merely announced)."""
        return self.status == "BOOK"


@dataclass(frozen=True, slots=True)
class Statement:
    """``Stmt`` (camt.053) or ``Ntfctn`` (camt.054): the movements of one account."""

    kind: MessageKind
    message_type: str
    """The exact message, e.g. ``camt.053.001.02``."""
    message_id: str
    """``GrpHdr/MsgId``."""
    statement_id: str
    """``Stmt/Id`` or ``Ntfctn/Id``."""
    account_iban: str
    account_currency: str | None
    created_at: datetime | None
    from_date: date | None
    """``FrToDt/FrDtTm``: the first day the statement covers."""
    to_date: date | None
    """``FrToDt/ToDtTm``: the last day it covers."""
    sequence_number: int | None
    """``ElctrncSeqNb``: the bank's running number of the account's statements."""
    entries: tuple[Entry, ...]

    @property
    def booking_date(self) -> date | None:
        """The day the statement is for: the end of its period, else the day it was made."""
        if self.to_date is not None:
            return self.to_date
        return self.created_at.date() if self.created_at is not None else None
