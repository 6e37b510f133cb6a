"""From a bank's file to bookings: the samples end to end, twice, and 10,000 entries."""

from __future__ import annotations

import time
from decimal import Decimal

from services.billing.statements import Claim, parse_camt, reconcile
from services.billing.statements.outcomes import MatchedBy
from tests.support.applications import AUGUSTUSBURG, WURZEN
from tests.unit.services.billing.statements.camt_files import (
    large_claims_amount,
    large_statement,
    sample,
)
from tests.unit.services.billing.statements.entries import ACCOUNTS, claim, kz

WURZEN_CLAIMS = [
    claim(123, "26.00"),
    claim(124, "50.00"),
    claim(125, "100.00"),
    claim(126, "20.00"),
    claim(127, "10.00"),
    claim(200, "0.00", paid="60.00"),
    claim(301, "30.00"),
    claim(302, "30.00"),
]


def test_wurzens_statement_is_reconciled_entry_by_entry() -> None:
    result = reconcile(
        parse_camt(sample("wurzen-camt053-v02.xml")),
        WURZEN_CLAIMS,
        account_towns=ACCOUNTS,
        booked=frozenset(),
    )
    assert [(b.source.entry, b.kassenzeichen, b.amount, b.open_after) for b in result.bookings] == [
        (1, kz(123), Decimal("26.00"), Decimal("0.00")),
        (2, kz(124), Decimal("10.00"), Decimal("40.00")),
        (3, kz(125), Decimal("100.00"), Decimal("0.00")),
        (3, kz(126), Decimal("20.00"), Decimal("0.00")),
        (3, kz(127), Decimal("10.00"), Decimal("0.00")),
        (4, kz(200), Decimal("-60.00"), Decimal("60.00")),
    ]
    assert [(c.source.entry, c.code, c.amount) for c in result.clarifications] == [
        (3, "overpayment", Decimal("20.00")),
        (3, "overpayment", Decimal("6.50")),
        (6, "no_reference", Decimal("42.50")),
    ]
    assert [(s.entry, s.code) for s in result.skipped] == [(5, "debit")]


def test_wurzens_statement_imported_again_books_nothing() -> None:
    data = sample("wurzen-camt053-v02.xml")
    first = reconcile(parse_camt(data), WURZEN_CLAIMS, account_towns=ACCOUNTS, booked=frozenset())
    again = reconcile(parse_camt(data), WURZEN_CLAIMS, account_towns=ACCOUNTS, booked=first.keys)
    assert len(first.keys) == 6
    assert (again.bookings, again.clarifications) == ((), ())
    assert [s.code for s in again.skipped].count("duplicate") == 6


def test_a_batch_notification_books_each_payment_and_skips_the_pending_one() -> None:
    result = reconcile(
        parse_camt(sample("wurzen-camt054-v02.xml")),
        WURZEN_CLAIMS,
        account_towns=ACCOUNTS,
        booked=frozenset(),
    )
    assert [(b.kassenzeichen, b.matched_by) for b in result.bookings] == [
        (kz(301), MatchedBy.KASSENZEICHEN),
        (kz(302), MatchedBy.KASSENZEICHEN),
    ]
    assert [(c.code, c.amount, c.source.payer.name) for c in result.clarifications] == [
        ("no_reference", Decimal("18.00"), "Cornelia Clausen")
    ]
    assert [s.code for s in result.skipped] == ["not_booked"]


def test_augustusburgs_payment_and_its_reversal_leave_the_claim_open() -> None:
    claims = [claim(31, "75.00", town=AUGUSTUSBURG)]
    result = reconcile(
        parse_camt(sample("augustusburg-camt053-v08.xml")),
        claims,
        account_towns=ACCOUNTS,
        booked=frozenset(),
    )
    assert [(b.town, b.amount, b.open_after) for b in result.bookings] == [
        (AUGUSTUSBURG, Decimal("75.00"), Decimal("0.00")),
        (AUGUSTUSBURG, Decimal("-75.00"), Decimal("75.00")),
    ]


def test_a_statement_of_10000_entries_is_read_and_matched_in_seconds() -> None:
    count = 10_000
    data = large_statement(count)
    claims = [Claim(kz(n), WURZEN, Decimal(large_claims_amount(n))) for n in range(1, count + 1)]
    started = time.perf_counter()
    statements = parse_camt(data)
    parsed = time.perf_counter()
    result = reconcile(statements, claims, account_towns=ACCOUNTS, booked=frozenset())
    matched = time.perf_counter()
    assert len(result.bookings) == count
    assert all(b.open_after == 0 for b in result.bookings)
    assert result.clarifications == ()
    print(
        f"\ncamt.053 of {count} entries ({len(data) / 1e6:.1f} MB): parsed in"
        f" {parsed - started:.2f} s, matched in {matched - parsed:.2f} s,"
        f" {count / (matched - started):,.0f} entries/s in all"
    )
    assert matched - started < 30
