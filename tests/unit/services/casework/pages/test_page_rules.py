"""Which town a page is about, and what a decision's conditions start from."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from runtime.auth import Identity
from runtime.desk import DeskRefusal
from services.casework.case_view import CaseView, HearingView
from services.casework.domain.case import Case
from services.casework.pages.case_page import hearing_conditions
from services.casework.pages.queue_page import chosen_town

WURZEN, AUGUSTUSBURG = "14729410", "14522020"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def clerk(*towns: str) -> Identity:
    return Identity("anton", "Anton Augst", frozenset({"clerk"}), towns=towns)


def test_a_page_is_about_the_clerks_own_town_or_another_of_theirs() -> None:
    assert chosen_town(clerk(AUGUSTUSBURG, WURZEN), "") == AUGUSTUSBURG
    assert chosen_town(clerk(AUGUSTUSBURG, WURZEN), WURZEN) == WURZEN
    with pytest.raises(DeskRefusal) as refused:
        chosen_town(clerk(AUGUSTUSBURG), WURZEN)
    assert (refused.value.status, refused.value.detail) == (
        403,
        "Für diese Gemeinde sind Sie nicht zuständig.",
    )
    with pytest.raises(DeskRefusal, match="Keine Berechtigung") as refused:
        chosen_town(clerk(), "")
    assert "keine Gemeinde" in refused.value.detail


def hearing(number: int, *conditions: str) -> HearingView:
    return HearingView(
        hearing_id=UUID(int=number),
        body=f"stelle-{number}",
        body_name=f"Stelle {number}",
        subject="Sperrung",
        due=date(2026, 12, 14),
        requested_at=NOW,
        verdict="zustimmung_mit_auflagen" if conditions else None,
        conditions=list(conditions),
    )


def test_an_approvals_conditions_start_from_the_heard_bodies_once_each() -> None:
    view = CaseView(case_id=UUID(int=1), as_of=None, state=Case())
    view.hearings = [
        hearing(1, "Zufahrt für Rettungsdienste freihalten", "Baustelle nachts beleuchten"),
        hearing(2),
        hearing(3, "Baustelle nachts beleuchten", "Haltestelle verlegen"),
    ]
    assert hearing_conditions(view) == [
        "Zufahrt für Rettungsdienste freihalten",
        "Baustelle nachts beleuchten",
        "Haltestelle verlegen",
    ]
