"""Every procedure has its rules registered; the trade notices and resident parking may be
decided automatically, the others always by a clerk."""

from __future__ import annotations

from contracts.procedures import PROCEDURES
from services.casework.domain.rules import RULE_SETS, rule_set

AUTOMATABLE = {"gewerbeanmeldung", "gewerbeummeldung", "gewerbeabmeldung", "bewohnerparkausweis"}


def test_every_procedure_of_the_suite_has_a_rule_set() -> None:
    assert set(RULE_SETS) == set(PROCEDURES)


def test_exactly_the_trade_notices_and_resident_parking_are_automatable() -> None:
    assert {p for p, rules in RULE_SETS.items() if rules.automatable} == AUTOMATABLE


def test_a_procedure_this_release_does_not_know_goes_to_a_clerk() -> None:
    assert rule_set("hundeschule").automatable is False
