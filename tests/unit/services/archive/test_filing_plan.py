"""A town's filing plan: the default positions, the town's own over them, mistakes named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from contracts.events.archive import CaseFiled
from runtime.members import read_member_files
from services.archive.domain.filing import FileCase, RecordPart, decide_filing
from services.archive.domain.filing_plan import (
    DEFAULT_PLAN,
    FilingPlanInvalid,
    PlanEntry,
    town_plan,
)
from tests.conftest import ROOT

PROCEDURES = {path.stem for path in (ROOT / "deploy" / "examples").glob("*.json")}


def member(**positions: Any) -> dict[str, Any]:
    return {"town": {"ags": "14729410"}, "archive": {"filing_plan": positions}}


def test_every_procedure_and_the_invoices_have_a_default_position() -> None:
    assert set(DEFAULT_PLAN) == PROCEDURES | {"eingangsrechnung"}
    assert len({entry.code for entry in DEFAULT_PLAN.values()}) == len(DEFAULT_PLAN)


def test_a_town_s_own_position_replaces_the_default_for_that_procedure_only() -> None:
    plan = town_plan(member(maengelmelder={"code": "66.30.05", "retention_years": 3}))
    assert plan["maengelmelder"] == PlanEntry("66.30.05", 3)
    assert plan["gewerbeanmeldung"] == DEFAULT_PLAN["gewerbeanmeldung"]
    assert town_plan({"town": {"ags": "14522020"}}) == dict(DEFAULT_PLAN)


def test_a_wrong_plan_names_every_mistake() -> None:
    with pytest.raises(FilingPlanInvalid) as refused:
        town_plan(
            member(
                maengelmelder={"code": "66-30", "retention_years": 3},
                gewerbeanmeldung={"code": "32.10.01", "retention_years": 0},
                hundeanmeldung={"code": "20.52.01", "retention_years": 10},
            )
        )
    message = str(refused.value)
    assert "maengelmelder.code" in message
    assert "gewerbeanmeldung.retention_years" in message
    assert "hundeanmeldung: no such procedure" in message


def test_the_member_files_plans_are_all_valid_and_wurzen_keeps_defects_three_years() -> None:
    plans = {m["town"]["ags"]: town_plan(m) for m in read_member_files(ROOT / "deploy/members")}
    assert plans["14729410"]["maengelmelder"] == PlanEntry("66.30.05", 3)
    assert plans["14522020"]["maengelmelder"] == DEFAULT_PLAN["maengelmelder"]


def test_a_file_takes_its_reference_and_retention_from_the_town_s_plan() -> None:
    plan = town_plan(member(maengelmelder={"code": "66.30.05", "retention_years": 3}))
    closed = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    [filed] = decide_filing(
        [],
        FileCase(
            case_id=UUID(int=7),
            procedure="maengelmelder",
            parts=[RecordPart("intake", 1, b"{}")],
            previous_chain_hash="0" * 64,
            number=4,
            closed_at=closed,
            now=closed,
            plan=plan,
        ),
    )
    assert isinstance(filed, CaseFiled)
    assert (filed.file_reference, filed.retain_until) == ("66.30.05/2026/00004", date(2029, 12, 31))
