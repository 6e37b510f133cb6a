"""The desk benchmark's inputs stay valid: the mix's applications are forms intake accepts,
its documented figures are what the mix gives, and the clerks' decisions pass the domain."""

from __future__ import annotations

import random
from collections import Counter
from uuid import uuid4

import pytest

import bench.casework
from bench.desk import bulk_load, clerks
from bench.desk.mix import VARIANTS, expected_shares, member_towns, plan
from contracts.events.casework import FeeBasis
from contracts.procedures import PROCEDURES
from services.casework.domain.fees import check_fee_basis
from tests.support.applications import example


def test_every_planned_application_is_a_valid_form() -> None:
    planned = plan(1500, member_towns(), seed=3)
    for item in planned:
        form = item.body["form"]
        if item.variant.upload:  # the file's id is set once it is uploaded
            group, name = item.variant.upload
            form = {**form, group: {**form[group], name: str(uuid4())}}
        PROCEDURES[item.procedure].form(1).model_validate(form)
    assert {item.procedure for item in planned} == set(VARIANTS)


def test_the_documented_expectation_is_what_the_mix_gives() -> None:
    shares = expected_shares(member_towns())
    doc = " ".join((bench.casework.__doc__ or "").split())
    assert f"{shares['automatic'] * 100:.1f} % of all applications decided automatically" in doc
    assert f"{shares['prepared'] * 100:.1f} % prepared for confirmation" in doc
    for procedure, variants in VARIANTS.items():
        assert sum(v.share for v in variants) == pytest.approx(1.0), procedure


def test_a_drawn_plan_follows_the_expectation() -> None:
    towns = member_towns()
    drawn = Counter(item.expected for item in plan(4000, towns, seed=5))
    for outcome, share in expected_shares(towns).items():
        assert drawn[outcome] / 4000 == pytest.approx(share, abs=0.025), outcome


def test_the_bulk_load_draws_from_every_offer() -> None:
    rows = bulk_load.mix_rows(member_towns())
    bounds = [row[0] for row in rows]
    assert bounds == sorted(bounds)
    assert bounds[-1] > 1.0
    assert len(rows) == sum(len(t.procedures) for t in member_towns())


@pytest.mark.parametrize(
    "procedure",
    ["verkehrsrechtliche-anordnung", "sondernutzungserlaubnis", "hundesteuer-anmeldung"],
)
def test_an_approval_carries_the_fee_basis_the_domain_asks_for(procedure: str) -> None:
    case = {"procedure": procedure, "form": example(procedure)["form"], "rule_outcomes": []}
    steps = clerks.decision_steps(case, _Always(0.0))
    assert steps[-1][0] == "decide"
    body = steps[-1][1]
    assert body["outcome"] == "approved"
    assert check_fee_basis(procedure, "approved", FeeBasis(**body["fee"])) is not None


def test_a_failed_rule_is_overruled_before_the_approval() -> None:
    case = {
        "procedure": "gewerbeanmeldung",
        "rule_outcomes": [
            {"rule": "no_permit_requiring_trade", "passed": False},
            {"rule": "applicant_must_be_of_age", "passed": True},
        ],
        "overruled": {},
    }
    steps = clerks.decision_steps(case, _Always(0.0))
    assert [s[0] for s in steps] == ["overrule", "decide"]
    assert steps[0][1]["rule"] == "no_permit_requiring_trade"
    rejected = clerks.decision_steps(case, _Always(0.99))
    assert rejected == [("decide", {"outcome": "rejected", "reasons": rejected[0][1]["reasons"]})]
    assert clerks.decision_steps({**case, "prepared": "approved"}, _Always(0.0)) == [
        ("confirm", {})
    ]
    for seat in range(20):
        fee = clerks.fee_basis({"procedure": "verkehrsrechtliche-anordnung"}, clerks.rng_for(seat))
        assert fee is not None
        check_fee_basis("verkehrsrechtliche-anordnung", "approved", FeeBasis(**fee))


class _Always(random.Random):
    """Dice whose ``random()`` always shows the same number."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value
