"""Which day takes which entries: every entry in exactly one day, late ones in the next."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from services.billing.finance.csv_export import COLUMNS, amount_text, day_csv
from services.billing.finance.days import Pending, close_day, days_to_close

D1, D2, D3, D4 = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 0, 5, tzinfo=UTC)


def pending(kind: str, entry_id: str, on: date, amount: str, konto: str = "43110000") -> Pending:
    return Pending(kind, entry_id, on, Decimal(amount), "12.2.0.02", konto)


def test_finished_days_close_oldest_first_and_today_never() -> None:
    assert days_to_close([D1, D2, D3], None, D3) == [D1, D2]
    assert days_to_close([D3], None, D3) == []
    assert days_to_close([], None, D3) == []


def test_a_late_entry_of_a_closed_day_goes_to_the_next_day_to_close() -> None:
    assert days_to_close([D1], D1, D3) == [D2]
    assert days_to_close([D1, D2], D2, D4) == [D3]
    assert days_to_close([D1], D2, D3) == []  # D3 is today: wait for it to end


def test_a_closed_day_takes_what_was_recorded_by_its_end_with_totals_per_account() -> None:
    entries = [
        pending("soll", "K-2", D1, "26.00"),
        pending("ist", "B-1", D1, "26.00"),
        pending("soll", "K-1", D1, "5.00", "45610000"),
        pending("ist", "B-2", D2, "-26.00"),
    ]
    closed = close_day("14729410", D1, entries, NOW)
    assert [(e.kind, e.entry_id) for e in closed.entries] == [
        ("ist", "B-1"),
        ("soll", "K-1"),
        ("soll", "K-2"),
    ]
    assert (closed.soll_total, closed.ist_total) == (Decimal("31.00"), Decimal("26.00"))
    assert [(a.sachkonto, a.soll, a.ist) for a in closed.accounts] == [
        ("43110000", Decimal("26.00"), Decimal("26.00")),
        ("45610000", Decimal("5.00"), Decimal("0")),
    ]
    later = close_day("14729410", D2, entries[3:], NOW)
    assert (later.soll_total, later.ist_total) == (Decimal("0.00"), Decimal("-26.00"))


def test_the_csv_is_what_german_finance_software_reads() -> None:
    row = {
        "kind": "ist",
        "entry_id": "DE51:2026-11-30-1:ref:B-1/1#1",
        "day": D1,
        "recorded_on": D1,
        "cash_reference": "14729410-2026-000001",
        "case_id": UUID(int=1),
        "procedure": "gewerbeanmeldung",
        "produkt": "12.2.0.02",
        "sachkonto": "43110000",
        "amount": Decimal("-1234.5"),
        "due_date": None,
        "value_date": D1,
        "channel": "bank_statement",
    }
    soll = {**row, "kind": "soll", "entry_id": "14729410-2026-000001", "amount": Decimal("26")}
    text = day_csv([row, soll | {"due_date": D4}]).decode("utf-8")
    lines = text.split("\r\n")
    assert text.startswith("\ufeff")
    assert lines[0].lstrip("\ufeff").split(";") == list(COLUMNS)
    assert lines[1].split(";")[0:4] == ["Soll", "2026-11-30", "2026-11-30", "14729410-2026-000001"]
    assert lines[1].split(";")[9:11] == ["26,00", "2026-12-03"]
    assert lines[2].split(";")[9] == "-1234,50"
    assert lines[2].split(";")[12] == "bank_statement"
    assert amount_text(Decimal("0.5")) == "0,50"
