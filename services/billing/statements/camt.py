"""ISO 20022 bank statements (camt.053) and notifications (camt.054), from bytes to values.

``parse_camt`` reads a file as German banks deliver it (the Deutsche Kreditwirtschaft's
profile of camt.053.001.02 and .001.08, camt.054.001.02 and .001.08) and returns one
``Statement`` per account in it. What it cannot take it refuses with ``StatementRefused``:
a file that is too large, declares a DOCTYPE, is not XML, is another ISO 20022 message or
another version, lacks what a statement needs, or has entries whose amounts, dates or
indicators no bank writes — every such entry is named.

The file is checked by structure, not against the ISO 20022 XML schema: the schemas are
published by the ISO 20022 Registration Authority, which this build cannot reach, and a
copy taken from elsewhere would be of unknown provenance. The structural check covers what
booking depends on (namespace and message, the account's IBAN, each entry's amount,
currency, Soll/Haben, status and dates); elements this module does not read are ignored, as
the schema's later versions add optional ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.billing.statements.camt_entries import Reader, read_entry
from services.billing.statements.model import Entry, MessageKind, Statement
from services.billing.statements.refusals import Problem, StatementRefused, Unreadable
from services.billing.statements.safe_xml import MAX_BYTES, read_xml

SUPPORTED = ("camt.053.001.02", "camt.053.001.08", "camt.054.001.02", "camt.054.001.08")
_ISO_20022 = re.compile(
    r"urn:iso:std:iso:20022:tech:xsd:(?P<message>[a-z]{4}\.\d{3}\.\d{3}\.\d{2})"
)
_CONTAINERS = {
    MessageKind.STATEMENT: ("BkToCstmrStmt", "Stmt"),
    MessageKind.NOTIFICATION: ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")


def _not_camt(what: str) -> StatementRefused:
    return StatementRefused.because(
        "not_camt",
        f"Die Datei ist kein Kontoauszug im Format ISO 20022 (camt.053 oder camt.054): {what}.",
    )


def message_type(root: Any) -> str:
    """The ISO 20022 message of ``root`` (``camt.053.001.02``), if it is one this reads."""
    name = etree.QName(root)
    if name.localname != "Document":
        raise _not_camt(f"das Wurzelelement heißt „{name.localname}“ statt „Document“")
    if not name.namespace:
        raise _not_camt("das Element „Document“ hat keinen Namensraum (xmlns)")
    match = _ISO_20022.fullmatch(name.namespace)
    if match is None:
        raise _not_camt(f"der Namensraum „{name.namespace[:120]}“ ist keiner von ISO 20022")
    message = match["message"]
    if message not in SUPPORTED:
        raise StatementRefused.because(
            "unsupported_message",
            f"Die Datei ist eine ISO-20022-Nachricht vom Typ {message}. Eingelesen werden"
            f" {', '.join(SUPPORTED[:-1])} und {SUPPORTED[-1]}.",
        )
    return message


def _created_at(reader: Reader, element: Any) -> datetime | None:
    text = reader.text(element, "CreDtTm")
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        raise Unreadable(
            "date_invalid", f"Der Zeitpunkt „{text}“ (CreDtTm) ist ungültig."
        ) from None


def _period_day(reader: Reader, element: Any, which: str) -> date | None:
    text = reader.text(element, f"FrToDt/{which}")
    try:
        return datetime.fromisoformat(text).date() if text else None
    except ValueError:
        raise Unreadable(
            "date_invalid", f"Der Zeitpunkt „{text}“ ({which}) ist ungültig."
        ) from None


def _account_iban(reader: Reader, element: Any) -> str:
    iban = (reader.text(element, "Acct/Id/IBAN") or "").replace(" ", "").upper()
    if not _IBAN.fullmatch(iban):
        raise Unreadable(
            "account_invalid", "Das Konto des Auszugs (Acct/Id/IBAN) fehlt oder ist keine IBAN."
        )
    return iban


def _entries(
    reader: Reader, element: Any, statement_id: str, problems: list[Problem]
) -> tuple[Entry, ...]:
    entries = []
    for position, entry in enumerate(reader.findall(element, "Ntry"), start=1):
        try:
            entries.append(read_entry(reader, entry, position))
        except Unreadable as exc:
            problems.append(
                _at_entry(exc, position, statement_id, reader.text(entry, "AcctSvcrRef"))
            )
    return tuple(entries)


def _at_entry(exc: Unreadable, position: int, statement_id: str, reference: str | None) -> Problem:
    where = f"Auszug {statement_id}, Buchung {position}"
    if reference:
        where += f" (Bankreferenz {reference})"
    return Problem(exc.code, f"{where}: {exc.message}", entry=position, statement=statement_id)


@dataclass(frozen=True, slots=True)
class _Message:
    """What the group header says of every statement in the file."""

    kind: MessageKind
    type: str
    id: str


def _read_statement(
    reader: Reader, element: Any, message: _Message, statement_id: str, problems: list[Problem]
) -> Statement:
    if not statement_id:
        raise Unreadable("incomplete", "Die Angabe Id des Auszugs fehlt.")
    sequence = reader.text(element, "ElctrncSeqNb")
    return Statement(
        kind=message.kind,
        message_type=message.type,
        message_id=message.id,
        statement_id=statement_id,
        account_iban=_account_iban(reader, element),
        account_currency=reader.text(element, "Acct/Ccy"),
        created_at=_created_at(reader, element),
        from_date=_period_day(reader, element, "FrDtTm"),
        to_date=_period_day(reader, element, "ToDtTm"),
        sequence_number=int(sequence) if sequence and sequence.isdigit() else None,
        entries=_entries(reader, element, statement_id, problems),
    )


def _statement(
    reader: Reader, element: Any, message: _Message, problems: list[Problem]
) -> Statement | None:
    """One statement, or ``None`` with its problem added to ``problems``."""
    statement_id = reader.text(element, "Id") or ""
    try:
        return _read_statement(reader, element, message, statement_id, problems)
    except Unreadable as exc:
        where = f"Auszug {statement_id or '?'}: {exc.message}"
        problems.append(Problem(exc.code, where, statement=statement_id or None))
        return None


def parse_camt(data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[Statement, ...]:
    """Every statement in a camt.053 or camt.054 file, or ``StatementRefused`` with all problems."""
    root = read_xml(data, max_bytes)
    message = message_type(root)
    reader = Reader(etree.QName(root).namespace)
    kind = MessageKind(message[:8])
    container, part = _CONTAINERS[kind]
    body = reader.find(root, container)
    if body is None:
        raise _not_camt(f"das Element „{container}“ fehlt")
    message_id = reader.text(body, "GrpHdr/MsgId")
    if message_id is None:
        raise StatementRefused.because(
            "incomplete", "Die Angabe GrpHdr/MsgId (Nachrichtenkennung) fehlt."
        )
    header = _Message(kind, message, message_id)
    problems: list[Problem] = []
    statements = [_statement(reader, e, header, problems) for e in reader.findall(body, part)]
    if problems:
        raise StatementRefused(problems)
    if not statements:
        raise StatementRefused.because("incomplete", f"Die Datei enthält keinen Auszug ({part}).")
    return tuple(s for s in statements if s is not None)
