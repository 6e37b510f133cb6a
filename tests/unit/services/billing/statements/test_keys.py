"""Idempotency keys: stable across imports, distinct for distinct payments."""

from __future__ import annotations

from dataclasses import replace

from services.billing.statements.camt import parse_camt
from services.billing.statements.keys import entry_key, entry_keys, payment_key
from tests.unit.services.billing.statements.camt_files import WURZEN_ACCOUNT, entry, statement
from tests.unit.services.billing.statements.entries import account_statement, credit


def test_an_entry_with_a_bank_reference_is_keyed_by_statement_and_reference() -> None:
    read = account_statement(credit("26.00", "x", reference="2026112008154711001"))
    assert entry_keys(read) == (f"{WURZEN_ACCOUNT}:S-1:ref:2026112008154711001",)


def test_the_entry_reference_comes_before_the_banks_reference() -> None:
    with_both = replace(credit("26.00", "x", reference="ASR"), entry_reference="NTRY-7")
    read = account_statement(with_both)
    assert entry_key(read, read.entries[0]) == f"{WURZEN_ACCOUNT}:S-1:ref:NTRY-7"


def test_the_same_reference_in_another_statement_is_another_key() -> None:
    one = account_statement(credit("26.00", "x", reference="1"), statement_id="S-1")
    two = account_statement(credit("26.00", "x", reference="1"), statement_id="S-2")
    assert entry_keys(one) != entry_keys(two)


def test_without_a_reference_the_key_is_a_hash_that_is_the_same_on_every_import() -> None:
    data = statement(entry(reference=None), entry("30.00", reference=None))
    (first,) = parse_camt(data)
    (again,) = parse_camt(data)
    keys = entry_keys(first)
    assert keys == entry_keys(again)
    assert all(":sha256:" in key for key in keys)
    assert len(set(keys)) == 2


def test_two_equal_payments_without_reference_are_two_keys() -> None:
    same = credit("26.00", "KZ 14729410-2026-000123")
    keys = entry_keys(account_statement(same, same))
    assert len(set(keys)) == 2


def test_a_reference_the_bank_used_twice_for_different_payments_is_told_apart() -> None:
    keys = entry_keys(
        account_statement(credit("26.00", "a", reference="R"), credit("30.00", "b", reference="R"))
    )
    assert keys[0] == f"{WURZEN_ACCOUNT}:S-1:ref:R"
    assert keys[1].startswith(f"{WURZEN_ACCOUNT}:S-1:ref:R:sha256:")


def test_the_same_entry_listed_twice_keeps_one_key() -> None:
    same = credit("26.00", "a", reference="R")
    first, second = entry_keys(account_statement(same, same))
    assert first == second


def test_a_payment_in_an_entry_is_keyed_by_its_place() -> None:
    assert payment_key("K", 2) == "K/2"
