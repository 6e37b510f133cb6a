"""Delegation: the member file seeds an agreement once; agreements made later are in force
for their period, the newest first; a case opens with the competent town first."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.events.casework import DelegationAgreed
from services.casework.domain.delegation import (
    decide_agreement,
    delegates_on,
    processing_towns,
    seed_delegation,
)
from services.casework.domain.refusals import Refused
from tests.support.applications import AUGUSTUSBURG, WURZEN

BENNEWITZ = "14729030"
THALLWITZ = "14729380"


def agreed(
    *towns: str, since: date | None = None, until: date | None = None, by: str | None = None
) -> DelegationAgreed:
    return DelegationAgreed(
        delegating_town=WURZEN,
        procedure="gewerbeanmeldung",
        processing_towns=list(towns),
        valid_from=since,
        valid_until=until,
        agreed_by=by,
    )


def test_the_member_file_seeds_the_first_agreement() -> None:
    events = seed_delegation([], WURZEN, "gewerbeanmeldung", [AUGUSTUSBURG])

    assert events == [agreed(AUGUSTUSBURG, by="system:configuration")]


def test_the_member_file_never_overrides_a_recorded_agreement() -> None:
    recorded = [agreed(BENNEWITZ, by="operator:x")]

    assert seed_delegation(recorded, WURZEN, "gewerbeanmeldung", [AUGUSTUSBURG]) == []


def test_nothing_to_seed_when_the_file_names_only_the_town_itself() -> None:
    assert seed_delegation([], WURZEN, "gewerbeanmeldung", []) == []
    assert seed_delegation([], WURZEN, "gewerbeanmeldung", [WURZEN]) == []


def test_an_agreement_names_each_other_town_once_in_order_and_never_the_town_itself() -> None:
    events = decide_agreement(
        [],
        WURZEN,
        "gewerbeanmeldung",
        [BENNEWITZ, WURZEN, AUGUSTUSBURG, BENNEWITZ],
        valid_from=None,
        valid_until=None,
        agreed_by="clerk:l@14729410",
    )

    assert events == [agreed(AUGUSTUSBURG, BENNEWITZ, by="clerk:l@14729410")]


def test_the_same_agreement_again_changes_nothing() -> None:
    current = [agreed(AUGUSTUSBURG, BENNEWITZ)]

    events = decide_agreement(
        current,
        WURZEN,
        "gewerbeanmeldung",
        [BENNEWITZ, AUGUSTUSBURG],
        valid_from=None,
        valid_until=None,
        agreed_by="x",
    )

    assert events == []


def test_an_end_before_the_start_is_refused_at_the_end() -> None:
    with pytest.raises(Refused) as refused:
        decide_agreement(
            [],
            WURZEN,
            "gewerbeanmeldung",
            [AUGUSTUSBURG],
            valid_from=date(2027, 2, 1),
            valid_until=date(2027, 1, 31),
            agreed_by="x",
        )

    assert (refused.value.field, refused.value.conflict) == ("valid_until", False)


def test_an_agreement_from_next_month_leaves_todays_in_force_until_then() -> None:
    agreements = [agreed(AUGUSTUSBURG), agreed(THALLWITZ, since=date(2027, 1, 1))]

    assert delegates_on(agreements, date(2026, 12, 31)) == [AUGUSTUSBURG]
    assert delegates_on(agreements, date(2027, 1, 1)) == [THALLWITZ]


def test_an_agreement_that_ended_gives_way_to_the_one_before() -> None:
    agreements = [agreed(AUGUSTUSBURG), agreed(BENNEWITZ, until=date(2026, 12, 24))]

    assert delegates_on(agreements, date(2026, 12, 24)) == [BENNEWITZ]
    assert delegates_on(agreements, date(2026, 12, 27)) == [AUGUSTUSBURG]


def test_without_an_agreement_in_force_the_town_processes_alone() -> None:
    assert delegates_on([agreed(AUGUSTUSBURG, since=date(2027, 1, 1))], date(2026, 12, 1)) == []
    assert processing_towns(WURZEN, []) == [WURZEN]


def test_a_case_names_the_competent_town_first() -> None:
    assert processing_towns(WURZEN, [AUGUSTUSBURG, WURZEN]) == [WURZEN, AUGUSTUSBURG]
