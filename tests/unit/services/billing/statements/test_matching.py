"""Given claims and a statement, when reconciled, then these bookings and clarification items."""

from __future__ import annotations

from collections.abc import Iterable, Set
from decimal import Decimal

import pytest

from services.billing.statements.matching import reconcile
from services.billing.statements.model import Direction, Entry, Statement
from services.billing.statements.outcomes import (
    BookingKind,
    Claim,
    Clarification,
    MatchedBy,
    Reconciliation,
)
from services.billing.statements.refusals import StatementRefused
from tests.support.applications import AUGUSTUSBURG, WURZEN
from tests.unit.services.billing.statements.camt_files import (
    AUGUSTUSBURG_ACCOUNT,
    WURZEN_ACCOUNT,
)
from tests.unit.services.billing.statements.entries import (
    ACCOUNTS,
    account_statement,
    claim,
    credit,
    kz,
    payment,
)

KEY = f"{WURZEN_ACCOUNT}:S-1:ref:R1/1"


def run(
    entries: Iterable[Entry] | Statement,
    claims: Iterable[Claim],
    booked: Set[str] = frozenset(),
    *,
    by_amount: bool = True,
) -> Reconciliation:
    read = entries if isinstance(entries, Statement) else account_statement(*entries)
    return reconcile([read], claims, account_towns=ACCOUNTS, booked=booked, by_amount=by_amount)


def booked(result: Reconciliation) -> list[tuple[str, Decimal, Decimal]]:
    """(Kassenzeichen, amount, open after) of each booking."""
    return [(b.kassenzeichen, b.amount, b.open_after) for b in result.bookings]


def clarified(result: Reconciliation) -> list[tuple[str, Decimal]]:
    """(code, amount) of each clarification item."""
    return [(c.code, c.amount) for c in result.clarifications]


def only_clarification(result: Reconciliation) -> Clarification:
    assert result.bookings == ()
    (item,) = result.clarifications
    return item


# --- by Kassenzeichen ---------------------------------------------------------


def test_a_payment_naming_its_kassenzeichen_settles_the_claim() -> None:
    result = run(
        [credit("26.00", f"KASSENZEICHEN {kz(123)}", reference="R1")], [claim(123, "26.00")]
    )
    (booking,) = result.bookings
    assert (booking.kassenzeichen, booking.town, booking.amount) == (
        kz(123),
        WURZEN,
        Decimal("26.00"),
    )
    assert booking.kind is BookingKind.PAYMENT
    assert booking.matched_by is MatchedBy.KASSENZEICHEN
    assert booking.open_after == Decimal("0.00")
    assert booking.id == f"{KEY}#1"
    assert booking.source.key == KEY
    assert booking.source.payer.name == "MUSTERMANN, MAX"
    assert booking.source.remittance == (f"KASSENZEICHEN {kz(123)}",)
    assert result.clarifications == ()
    assert result.keys == frozenset({KEY})


def test_the_kassenzeichen_is_found_in_any_case_and_with_spaces() -> None:
    result = run([credit("26.00", "kassenzeichen 14729410 2026 000123")], [claim(123, "26.00")])
    assert booked(result) == [(kz(123), Decimal("26.00"), Decimal("0.00"))]


def test_a_kassenzeichen_without_the_town_is_the_receiving_towns() -> None:
    claims = [claim(5, "30.00"), claim(5, "30.00", town=AUGUSTUSBURG)]
    wurzen = run([credit("30.00", "KZ 2026-000005")], claims)
    augustusburg = run(
        account_statement(credit("30.00", "KZ 2026-000005"), iban=AUGUSTUSBURG_ACCOUNT), claims
    )
    assert [b.kassenzeichen for b in wurzen.bookings] == [kz(5)]
    assert [b.kassenzeichen for b in augustusburg.bookings] == [kz(5, AUGUSTUSBURG)]


def test_the_end_to_end_id_is_read_when_the_remittance_names_no_kassenzeichen() -> None:
    tx = payment("26.00", "Gebuehr", end_to_end_id="14729410-2026-000123")
    result = run([credit("26.00", transactions=(tx,))], [claim(123, "26.00"), claim(9, "26.00")])
    assert booked(result) == [(kz(123), Decimal("26.00"), Decimal("0.00"))]


def test_a_partial_payment_leaves_the_rest_open() -> None:
    result = run([credit("10.00", f"TEILZAHLUNG {kz(124)}")], [claim(124, "50.00")])
    assert booked(result) == [(kz(124), Decimal("10.00"), Decimal("40.00"))]
    assert result.clarifications == ()


def test_two_partial_payments_in_one_statement_add_up() -> None:
    result = run(
        [credit("10.00", kz(124), reference="A"), credit("40.00", kz(124), reference="B")],
        [claim(124, "50.00")],
    )
    assert booked(result) == [
        (kz(124), Decimal("10.00"), Decimal("40.00")),
        (kz(124), Decimal("40.00"), Decimal("0.00")),
    ]


def test_an_over_payment_settles_the_claim_and_the_surplus_goes_to_a_clerk() -> None:
    result = run([credit("30.00", kz(123), reference="R1")], [claim(123, "26.00")])
    assert booked(result) == [(kz(123), Decimal("26.00"), Decimal("0.00"))]
    (surplus,) = result.clarifications
    assert (surplus.code, surplus.amount, surplus.town) == ("overpayment", Decimal("4.00"), WURZEN)
    assert surplus.reason == f"Überzahlung: 4,00 EUR mehr als für {kz(123)} offen war."
    assert surplus.kassenzeichen == (kz(123),)
    assert surplus.id == f"{KEY}#2"


def test_a_payment_on_a_settled_claim_goes_to_a_clerk_whole() -> None:
    item = only_clarification(run([credit("26.00", kz(123))], [claim(123, "0.00", paid="26.00")]))
    assert (item.code, item.amount) == ("claim_settled", Decimal("26.00"))
    assert item.reason == (
        f"Die Forderung mit dem Kassenzeichen {kz(123)} ist bereits beglichen; der Betrag ist"
        " zu erstatten oder einer anderen Forderung zuzuordnen."
    )


def test_a_payment_on_several_settled_claims_names_them_all() -> None:
    claims = [claim(1, "0.00", paid="5.00"), claim(2, "0.00", paid="5.00")]
    item = only_clarification(run([credit("5.00", f"{kz(1)} {kz(2)}")], claims))
    assert item.reason.startswith(
        f"Die Forderungen mit den Kassenzeichen {kz(1)} und {kz(2)} sind bereits beglichen;"
    )


def test_several_kassenzeichen_are_paid_in_the_order_written() -> None:
    claims = [claim(126, "20.00"), claim(127, "10.00")]
    result = run([credit("25.00", f"KZ {kz(127)} und {kz(126)}")], claims)
    assert booked(result) == [
        (kz(127), Decimal("10.00"), Decimal("0.00")),
        (kz(126), Decimal("15.00"), Decimal("5.00")),
    ]
    assert result.clarifications == ()


def test_several_kassenzeichen_paid_too_much_leave_the_rest_to_a_clerk() -> None:
    claims = [claim(126, "20.00"), claim(127, "10.00")]
    result = run([credit("36.50", f"{kz(126)}, {kz(127)}, {kz(999)}")], claims)
    assert booked(result) == [
        (kz(126), Decimal("20.00"), Decimal("0.00")),
        (kz(127), Decimal("10.00"), Decimal("0.00")),
    ]
    assert clarified(result) == [("overpayment", Decimal("6.50"))]
    assert result.clarifications[0].reason == (
        f"Überzahlung: 6,50 EUR mehr als für {kz(126)} und {kz(127)} offen war."
        f" Außerdem genannt, aber keiner Forderung zugeordnet: {kz(999)}."
    )


def test_a_settled_claim_named_first_does_not_take_money_from_the_next() -> None:
    claims = [claim(126, "0.00", paid="20.00"), claim(127, "10.00")]
    result = run([credit("10.00", f"{kz(126)} {kz(127)}")], claims)
    assert booked(result) == [(kz(127), Decimal("10.00"), Decimal("0.00"))]
    assert result.clarifications == ()


# --- by amount ------------------------------------------------------------------


def test_without_a_kassenzeichen_the_only_open_claim_of_that_amount_is_paid() -> None:
    claims = [claim(1, "26.00"), claim(2, "30.00"), claim(3, "26.00", town=AUGUSTUSBURG)]
    result = run([credit("26.00", "Gewerbeanmeldung Mustermann")], claims)
    (booking,) = result.bookings
    assert (booking.kassenzeichen, booking.matched_by) == (kz(1), MatchedBy.AMOUNT)
    assert result.clarifications == ()


def test_a_mistyped_kassenzeichen_is_matched_by_its_amount() -> None:
    result = run([credit("30.00", kz(201))], [claim(210, "30.00"), claim(211, "26.00")])
    assert [(b.kassenzeichen, b.matched_by) for b in result.bookings] == [
        (kz(210), MatchedBy.AMOUNT)
    ]


def test_several_open_claims_of_that_amount_go_to_a_clerk_as_candidates() -> None:
    item = only_clarification(
        run([credit("26.00", "Gebuehr")], [claim(1, "26.00"), claim(2, "26.00")])
    )
    assert item.code == "ambiguous_amount"
    assert item.kassenzeichen == (kz(1), kz(2))
    assert item.reason == (
        "Kein Kassenzeichen im Verwendungszweck; 2 offene Forderungen über 26,00 EUR kommen"
        " in Frage."
    )


def test_a_claim_paid_by_amount_is_not_paid_twice_by_amount() -> None:
    result = run(
        [credit("26.00", "Gebuehr", reference="A"), credit("26.00", "Gebuehr", reference="B")],
        [claim(1, "26.00")],
    )
    assert booked(result) == [(kz(1), Decimal("26.00"), Decimal("0.00"))]
    assert clarified(result) == [("no_reference", Decimal("26.00"))]


def test_matching_by_amount_alone_can_be_turned_off() -> None:
    item = only_clarification(
        run([credit("26.00", "Gebuehr")], [claim(1, "26.00")], by_amount=False)
    )
    assert item.code == "no_reference"
    assert item.reason == (
        "Kein Kassenzeichen im Verwendungszweck und keine offene Forderung über 26,00 EUR."
    )


# --- what a clerk must clarify --------------------------------------------------


def test_an_unknown_kassenzeichen_goes_to_a_clerk_with_the_reason() -> None:
    item = only_clarification(run([credit("42.50", f"KZ {kz(888)}")], [claim(1, "26.00")]))
    assert (item.code, item.amount, item.town) == ("unknown_reference", Decimal("42.50"), WURZEN)
    assert item.reason == f"Das Kassenzeichen {kz(888)} gehört zu keiner bekannten Forderung."
    assert item.kassenzeichen == (kz(888),)


def test_another_towns_kassenzeichen_on_this_towns_account_goes_to_a_clerk() -> None:
    claims = [claim(31, "75.00", town=AUGUSTUSBURG), claim(1, "75.00")]
    item = only_clarification(run([credit("75.00", kz(31, AUGUSTUSBURG))], claims))
    assert item.code == "other_town"
    assert item.town == WURZEN
    assert item.reason == (
        f"Das Kassenzeichen {kz(31, AUGUSTUSBURG)} gehört zu Forderungen der Gemeinde"
        f" {AUGUSTUSBURG}; das Geld ging auf dem Konto der Gemeinde {WURZEN} ein."
    )


def test_a_payment_in_another_currency_goes_to_a_clerk_whole() -> None:
    item = only_clarification(
        run([credit("26.00", kz(123), currency="CHF")], [claim(123, "26.00")])
    )
    assert (item.code, item.amount) == ("foreign_currency", Decimal("26.00"))
    assert item.id.endswith("/0#1")


def test_a_batch_without_its_payments_goes_to_a_clerk_pointing_to_camt054() -> None:
    entry = credit("78.00", transactions=(), batch_size=3)
    item = only_clarification(run([entry], [claim(1, "78.00")]))
    assert item.code == "batch_without_details"
    assert "camt.054" in item.reason


def test_a_batch_whose_payments_do_not_add_up_goes_to_a_clerk() -> None:
    parts = (payment("30.00", kz(1)), payment("30.00", kz(2)))
    item = only_clarification(
        run([credit("70.00", transactions=parts)], [claim(1, "30.00"), claim(2, "30.00")])
    )
    assert (item.code, item.amount) == ("batch_sum_mismatch", Decimal("70.00"))


def test_each_payment_of_a_batch_is_matched_and_keyed_on_its_own() -> None:
    parts = (payment("30.00", "KZ 2026-000301"), payment("18.00", "Gebuehr"))
    result = run([credit("48.00", transactions=parts, reference="R1")], [claim(301, "30.00")])
    assert [(b.kassenzeichen, b.source.key) for b in result.bookings] == [
        (kz(301), f"{WURZEN_ACCOUNT}:S-1:ref:R1/1")
    ]
    assert [(c.code, c.source.key) for c in result.clarifications] == [
        ("no_reference", f"{WURZEN_ACCOUNT}:S-1:ref:R1/2")
    ]


# --- reversals (R-transactions) -------------------------------------------------


def returned_debit(amount: str, *remittance: str, reason: str = "AC04") -> Entry:
    tx = payment(amount, *remittance, return_reason=reason)
    return credit(amount, direction=Direction.DEBIT, transactions=(tx,))


def test_a_returned_direct_debit_takes_the_payment_back() -> None:
    result = run(
        [returned_debit("60.00", f"HUNDESTEUER {kz(200)}")], [claim(200, "0.00", paid="60.00")]
    )
    (booking,) = result.bookings
    assert (booking.amount, booking.kind, booking.open_after) == (
        Decimal("-60.00"),
        BookingKind.REVERSAL,
        Decimal("60.00"),
    )
    assert booking.source.return_reason == "AC04"
    assert booking.source.amount == Decimal("-60.00")


def test_a_bank_reversal_of_a_credit_takes_the_payment_back() -> None:
    storno = credit("75.00", f"STORNO {kz(31)}", direction=Direction.DEBIT, reversal=True)
    result = run([storno], [claim(31, "0.00", paid="75.00")])
    assert booked(result) == [(kz(31), Decimal("-75.00"), Decimal("75.00"))]


def test_a_payment_and_its_reversal_in_one_statement_leave_the_claim_open() -> None:
    result = run(
        [
            credit("75.00", kz(31), reference="A"),
            credit(
                "75.00", f"STORNO {kz(31)}", reference="B", direction=Direction.DEBIT, reversal=True
            ),
        ],
        [claim(31, "75.00")],
    )
    assert booked(result) == [
        (kz(31), Decimal("75.00"), Decimal("0.00")),
        (kz(31), Decimal("-75.00"), Decimal("75.00")),
    ]


def test_a_reversal_takes_back_no_more_than_was_paid() -> None:
    result = run([returned_debit("60.00", kz(200))], [claim(200, "20.00", paid="40.00")])
    assert booked(result) == [(kz(200), Decimal("-40.00"), Decimal("60.00"))]
    (rest,) = result.clarifications
    assert (rest.code, rest.amount) == ("reversal_unmatched", Decimal("-20.00"))
    assert rest.reason == (
        f"Rückbuchung über 20,00 EUR (Grund AC04: Konto erloschen): für {kz(200)} ist nicht so"
        " viel gebucht. Bitte der ursprünglichen Zahlung zuordnen."
    )


def test_a_reversal_without_a_known_kassenzeichen_goes_to_a_clerk() -> None:
    item = only_clarification(
        run(
            [returned_debit("60.00", "HUNDESTEUER", reason="MD06")],
            [claim(200, "0.00", paid="60.00")],
        )
    )
    assert (item.code, item.amount) == ("reversal_unmatched", Decimal("-60.00"))
    assert "Grund MD06: Rückgabe auf Verlangen des Zahlers" in item.reason
    assert "kein bekanntes Kassenzeichen" in item.reason


def test_a_reversed_debit_goes_to_a_clerk() -> None:
    item = only_clarification(run([credit("12.90", "ENTGELT", reversal=True)], [claim(1, "12.90")]))
    assert (item.code, item.amount) == ("reversed_debit", Decimal("12.90"))


# --- what is skipped --------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (credit("12.90", "ENTGELTABSCHLUSS", direction=Direction.DEBIT), "debit"),
        (credit("26.00", kz(1), status="PDNG"), "not_booked"),
        (credit("0.00", kz(1)), "zero"),
    ],
)
def test_entries_that_pay_no_claim_are_skipped_and_not_kept(entry: Entry, code: str) -> None:
    result = run([entry], [claim(1, "26.00"), claim(2, "12.90")])
    assert (result.bookings, result.clarifications, result.keys) == ((), (), frozenset())
    assert [(s.code, s.entry) for s in result.skipped] == [(code, 1)]


def test_a_statement_of_an_account_no_town_has_is_refused() -> None:
    with pytest.raises(StatementRefused) as caught:
        run(account_statement(credit("1.00", "x"), iban="DE75120300001020304050"), [])
    assert caught.value.code == "unknown_account"
    assert "DE75120300001020304050" in caught.value.message


# --- importing twice ----------------------------------------------------------------


def mixed() -> Statement:
    return account_statement(
        credit("30.00", kz(123), reference="R1"),
        credit("42.50", "MIETE"),
        returned_debit("60.00", kz(200)),
        credit("12.90", "ENTGELT", direction=Direction.DEBIT),
    )


CLAIMS = [claim(123, "26.00"), claim(200, "0.00", paid="60.00")]


def test_importing_the_same_statement_twice_books_nothing_twice() -> None:
    first = run(mixed(), CLAIMS)
    assert (len(first.bookings), len(first.clarifications)) == (2, 2)
    again = run(mixed(), CLAIMS, booked=first.keys)
    assert (again.bookings, again.clarifications, again.keys) == ((), (), frozenset())
    assert [s.code for s in again.skipped] == ["duplicate", "duplicate", "duplicate", "debit"]


def test_a_statement_given_twice_in_one_import_books_once() -> None:
    result = reconcile([mixed(), mixed()], CLAIMS, account_towns=ACCOUNTS, booked=frozenset())
    assert len(result.bookings) == 2
    assert [s.code for s in result.skipped].count("duplicate") == 3


def test_an_import_cut_short_books_the_rest_on_the_next_import() -> None:
    first = run(mixed(), CLAIMS)
    only_the_first = frozenset(k for k in first.keys if ":ref:R1/" in k)
    again = run(mixed(), CLAIMS, booked=only_the_first)
    assert [b.kassenzeichen for b in again.bookings] == [kz(200)]
    assert again.keys == first.keys - only_the_first


def test_every_cent_of_a_statement_is_booked_or_to_be_clarified() -> None:
    result = run(mixed(), CLAIMS)
    moved = sum((b.amount for b in result.bookings), Decimal(0))
    moved += sum((c.amount for c in result.clarifications), Decimal(0))
    assert moved == Decimal("30.00") + Decimal("42.50") - Decimal("60.00")


def test_a_returned_transfer_of_the_town_is_no_payment_on_a_claim() -> None:
    tx = payment("26.00", f"ERSTATTUNG {kz(123)}", return_reason="AC04")
    item = only_clarification(run([credit("26.00", transactions=(tx,))], [claim(123, "26.00")]))
    assert (item.code, item.amount) == ("returned_transfer", Decimal("26.00"))
    assert "Grund AC04: Konto erloschen" in item.reason
