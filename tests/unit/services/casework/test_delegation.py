"""Delegation: given the recorded agreement, when the member file names processing towns,
then a new agreement only if they differ."""

from __future__ import annotations

from contracts.events.casework import DelegationAgreed
from services.casework.domain.delegation import decide_delegation, processing_towns
from tests.support.applications import AUGUSTUSBURG, WURZEN

BENNEWITZ = "14729030"


def agreed(*towns: str) -> DelegationAgreed:
    return DelegationAgreed(
        delegating_town=WURZEN, procedure="gewerbeanmeldung", processing_towns=list(towns)
    )


def test_a_first_delegation_is_agreed() -> None:
    events = decide_delegation(None, WURZEN, "gewerbeanmeldung", [AUGUSTUSBURG])

    assert events == [agreed(AUGUSTUSBURG)]


def test_no_delegation_configured_and_none_recorded_changes_nothing() -> None:
    assert decide_delegation(None, WURZEN, "gewerbeanmeldung", []) == []
    assert decide_delegation(None, WURZEN, "gewerbeanmeldung", [WURZEN]) == []


def test_the_agreement_names_each_other_town_once_in_order_and_never_the_town_itself() -> None:
    events = decide_delegation(
        None, WURZEN, "gewerbeanmeldung", [BENNEWITZ, WURZEN, AUGUSTUSBURG, BENNEWITZ]
    )

    assert events == [agreed(AUGUSTUSBURG, BENNEWITZ)]


def test_the_same_towns_in_another_order_change_nothing() -> None:
    current = agreed(AUGUSTUSBURG, BENNEWITZ)

    assert decide_delegation(current, WURZEN, "gewerbeanmeldung", [BENNEWITZ, AUGUSTUSBURG]) == []


def test_an_added_town_makes_a_new_agreement() -> None:
    events = decide_delegation(
        agreed(AUGUSTUSBURG), WURZEN, "gewerbeanmeldung", [AUGUSTUSBURG, BENNEWITZ]
    )

    assert events == [agreed(AUGUSTUSBURG, BENNEWITZ)]


def test_removing_every_town_ends_the_delegation_with_an_empty_agreement() -> None:
    assert decide_delegation(agreed(AUGUSTUSBURG), WURZEN, "gewerbeanmeldung", []) == [agreed()]


def test_an_ended_delegation_configured_empty_again_changes_nothing() -> None:
    assert decide_delegation(agreed(), WURZEN, "gewerbeanmeldung", []) == []


def test_the_competent_town_processes_first_then_its_delegates() -> None:
    assert processing_towns(WURZEN, [AUGUSTUSBURG, BENNEWITZ]) == [
        WURZEN,
        AUGUSTUSBURG,
        BENNEWITZ,
    ]
    assert processing_towns(WURZEN, [AUGUSTUSBURG, WURZEN]) == [WURZEN, AUGUSTUSBURG]
    assert processing_towns(WURZEN, []) == [WURZEN]
