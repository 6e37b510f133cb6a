"""Reading one ``Ntry`` of a camt.053/camt.054 message, in versions .001.02 and .001.08.

The versions differ in a few places this module reads both ways: the status is a code
(``<Sts>BOOK</Sts>``) or a choice (``<Sts><Cd>BOOK</Cd></Sts>``), a party's name sits in
``Dbtr/Nm`` or ``Dbtr/Pty/Nm``, a transaction's amount in ``AmtDtls/TxAmt/Amt`` or ``Amt``.
Anything that cannot be read raises ``Unreadable``, which the caller turns into a problem
at this entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from services.billing.statements.amounts import parse_amount, parse_currency
from services.billing.statements.model import Direction, Entry, Party, Remittance, Transaction
from services.billing.statements.refusals import Unreadable

NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED", "NOT PROVIDED"})
"""What banks write where a reference is required but none was given."""


@lru_cache(maxsize=512)
def qualified(namespace: str, path: str) -> str:
    """``("ns", "Amt/Ccy")`` → ``{ns}Amt/{ns}Ccy``, the form lxml's ``find`` takes."""
    return "/".join(f"{{{namespace}}}{part}" for part in path.split("/"))


@dataclass(frozen=True, slots=True)
class Reader:
    """Finds elements and their text in one message's namespace."""

    namespace: str

    def find(self, element: Any, path: str) -> Any:
        """The first element at ``path`` below ``element``, or ``None``."""
        return element.find(qualified(self.namespace, path))

    def findall(self, element: Any, path: str) -> list[Any]:
        """Every element at ``path`` below ``element``."""
        return list(element.iterfind(qualified(self.namespace, path)))

    def text(self, element: Any, path: str) -> str | None:
        """The stripped text at ``path``, ``None`` when missing or empty."""
        found = element.findtext(qualified(self.namespace, path))
        if found is None:
            return None
        return found.strip() or None

    def first_text(self, element: Any, *paths: str) -> str | None:
        """The text of the first of ``paths`` that has one."""
        for path in paths:
            found = self.text(element, path)
            if found is not None:
                return found
        return None

    def reference(self, element: Any, path: str) -> str | None:
        """A reference, ``None`` for the placeholders banks write instead of none."""
        found = self.text(element, path)
        return None if found is None or found.upper() in NO_REFERENCE else found


def read_date(reader: Reader, element: Any, path: str) -> date | None:
    """A ``Dt`` or ``DtTm`` below ``path`` as a day, ``None`` when absent."""
    day = reader.text(element, f"{path}/Dt")
    moment = reader.text(element, f"{path}/DtTm")
    try:
        if day is not None:
            return date.fromisoformat(day)
        return datetime.fromisoformat(moment).date() if moment is not None else None
    except ValueError:
        raise Unreadable(
            "date_invalid", f"Das Datum „{day or moment}“ ({path}) ist kein Datum wie 2026-11-20."
        ) from None


def _required(reader: Reader, element: Any, path: str) -> str:
    found = reader.text(element, path)
    if found is None:
        raise Unreadable("incomplete", f"Die Angabe {path} fehlt.")
    return found


def _direction(text: str) -> Direction:
    try:
        return Direction(text)
    except ValueError:
        raise Unreadable(
            "credit_debit_invalid", f"Das Soll/Haben-Kennzeichen „{text}“ ist weder CRDT noch DBIT."
        ) from None


def _status(reader: Reader, element: Any) -> str:
    status = reader.first_text(element, "Sts/Cd", "Sts/Prtry", "Sts")
    if status is None:
        raise Unreadable("incomplete", "Die Angabe Sts (Buchungsstatus) fehlt.")
    return status


def _bank_transaction_code(reader: Reader, element: Any) -> str | None:
    domain = [reader.text(element, f"BkTxCd/Domn/{p}") for p in ("Cd", "Fmly/Cd", "Fmly/SubFmlyCd")]
    if all(domain):
        return "/".join(part for part in domain if part)
    return reader.text(element, "BkTxCd/Prtry/Cd")


def _party(reader: Reader, element: Any, role: str) -> Party:
    return Party(
        name=reader.first_text(element, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm"),
        iban=reader.text(element, f"RltdPties/{role}Acct/Id/IBAN"),
    )


def _remittance(reader: Reader, element: Any) -> Remittance:
    lines = (line.text.strip() for line in reader.findall(element, "RmtInf/Ustrd") if line.text)
    references = reader.findall(element, "RmtInf/Strd/CdtrRefInf/Ref")
    return Remittance(
        unstructured=tuple(line for line in lines if line),
        creditor_references=tuple(r.text.strip() for r in references if r.text and r.text.strip()),
    )


def _transaction_amount(reader: Reader, element: Any) -> Decimal | None:
    amount = reader.find(element, "AmtDtls/TxAmt/Amt")
    if amount is None:
        amount = reader.find(element, "Amt")
    if amount is None:
        return None
    return parse_amount(amount.text, parse_currency(amount.get("Ccy")))


def read_transaction(reader: Reader, element: Any) -> Transaction:
    """One ``TxDtls``."""
    return Transaction(
        amount=_transaction_amount(reader, element),
        end_to_end_id=reader.reference(element, "Refs/EndToEndId"),
        account_servicer_reference=reader.reference(element, "Refs/AcctSvcrRef"),
        mandate_id=reader.reference(element, "Refs/MndtId"),
        remittance=_remittance(reader, element),
        debtor=_party(reader, element, "Dbtr"),
        creditor=_party(reader, element, "Cdtr"),
        return_reason=reader.first_text(element, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
    )


def read_entry(reader: Reader, element: Any, position: int) -> Entry:
    """One ``Ntry``, or ``Unreadable`` naming the first thing wrong with it."""
    amount_element = reader.find(element, "Amt")
    if amount_element is None:
        raise Unreadable("incomplete", "Die Angabe Amt (Betrag) fehlt.")
    currency = parse_currency(amount_element.get("Ccy"))
    batch_size = reader.text(element, "NtryDtls/Btch/NbOfTxs")
    return Entry(
        position=position,
        amount=parse_amount(amount_element.text, currency),
        currency=currency,
        direction=_direction(_required(reader, element, "CdtDbtInd")),
        reversal=(reader.text(element, "RvslInd") or "false").lower() in ("true", "1"),
        status=_status(reader, element),
        booking_date=read_date(reader, element, "BookgDt"),
        value_date=read_date(reader, element, "ValDt"),
        entry_reference=reader.reference(element, "NtryRef"),
        account_servicer_reference=reader.reference(element, "AcctSvcrRef"),
        bank_transaction_code=_bank_transaction_code(reader, element),
        batch_size=int(batch_size) if batch_size and batch_size.isdigit() else None,
        additional_information=reader.text(element, "AddtlNtryInf"),
        transactions=tuple(
            read_transaction(reader, tx) for tx in reader.findall(element, "NtryDtls/TxDtls")
        ),
    )
