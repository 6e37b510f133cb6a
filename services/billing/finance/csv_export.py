"""A closed day as CSV for the town's finance software (pure).

The format, documented in README.md: UTF-8 with a byte-order mark (so spreadsheet programs
read the umlauts), ``;`` between fields, CRLF line ends (RFC 4180), one header line, dates as
ISO 8601 (``2026-11-30``), amounts with a decimal comma and two places (``26,00``; a reversal
negative, ``-26,00``). One line per entry, Soll before Ist, each ordered by its id:

``Satzart`` ``Soll`` (claim raised) or ``Ist`` (payment received) · ``Abschlusstag`` the day
closed · ``Erfasst`` the day billing recorded it · ``Kassenzeichen`` · ``Buchungskennung`` the
booking's id (Ist) · ``Vorgang`` the case's id · ``Verfahren`` · ``Produkt`` · ``Sachkonto`` ·
``Betrag`` · ``Faellig`` due date (Soll) · ``Wertstellung`` value date (Ist) · ``Zahlweg``
bank_statement, online or clarification (Ist).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

COLUMNS = (
    "Satzart",
    "Abschlusstag",
    "Erfasst",
    "Kassenzeichen",
    "Buchungskennung",
    "Vorgang",
    "Verfahren",
    "Produkt",
    "Sachkonto",
    "Betrag",
    "Faellig",
    "Wertstellung",
    "Zahlweg",
)
KINDS = {"soll": "Soll", "ist": "Ist"}


def amount_text(amount: Decimal) -> str:
    """``-1234.5`` → ``-1234,50``: no thousands separator, the comma as decimal mark."""
    return f"{amount:.2f}".replace(".", ",")


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def day_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The CSV of a closed day's entries (rows of ``rm_finance.entries``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    ordered = sorted(rows, key=lambda r: (r["kind"] != "soll", r["entry_id"]))
    for row in ordered:
        soll = row["kind"] == "soll"
        writer.writerow(
            (
                KINDS[row["kind"]],
                _day(row["day"]),
                _day(row["recorded_on"]),
                row["cash_reference"],
                "" if soll else row["entry_id"],
                str(row["case_id"]),
                row["procedure"] or "",
                row["produkt"],
                row["sachkonto"],
                amount_text(row["amount"]),
                _day(row["due_date"]) if soll else "",
                "" if soll else _day(row["value_date"]),
                "" if soll else row["channel"] or "",
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
