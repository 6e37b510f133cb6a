"""Upcasters lift stored old versions to the current shape; unknown shapes are refused."""

from __future__ import annotations

from typing import Any

import pytest

from contracts import REGISTRY, UnknownEventType
from contracts.base import EventRegistry
from contracts.events.casework import CaseDecided, RuleOutcome
from contracts.events.notify import MessageDelivered

CASE_ID = "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"


def _case_decided_v1(outcome: str, reason: str) -> dict[str, Any]:
    """A CaseDecided as version 1 stored it: one free-text reason, no rule outcomes."""
    return {
        "case_id": CASE_ID,
        "procedure": "gewerbeanmeldung",
        "outcome": outcome,
        "decided_by": "clerk:k.mueller@14612000",
        "on_behalf_of": "14612000",
        "reason": reason,
        "decided_at": "2024-03-05T09:41:12.503000Z",
    }


@pytest.mark.parametrize(("outcome", "passed"), [("rejected", False), ("approved", True)])
def test_case_decided_v1_becomes_a_v2_decision_with_one_manual_rule(
    outcome: str, passed: bool
) -> None:
    reason = "Die Erlaubnis nach § 34a GewO liegt nicht vor."
    stored = _case_decided_v1(outcome, reason)

    event = CaseDecided.model_validate(REGISTRY.upcast("casework.CaseDecided", 1, stored))

    assert event.rule_outcomes == [
        RuleOutcome(rule="recorded_reason", passed=passed, reason=reason)
    ]
    assert event.outcome == outcome
    assert event.decided_by == "clerk:k.mueller@14612000"
    assert event.on_behalf_of == "14612000"
    assert event.conditions == []
    assert "reason" in stored, "the stored v1 data must not be changed in place"


def test_message_delivered_v1_becomes_a_v2_email_delivery() -> None:
    stored = {
        "message_id": "0190f3c5-0a2b-7d3e-8f40-112233445566",
        "case_id": CASE_ID,
        "template": "application_received",
        "recipient": "anna.schmidt@example.org",
        "attempts": 2,
        "delivered_at": "2024-03-05T09:42:00Z",
    }

    upcast = REGISTRY.upcast("notify.MessageDelivered", 1, stored)
    event = MessageDelivered.model_validate(upcast)

    assert event.channel == "email"
    assert event.recipient == "anna.schmidt@example.org"
    assert event.attempts == 2


def test_the_current_version_passes_unchanged() -> None:
    data = {"case_id": CASE_ID, "closed_at": "2024-03-06T10:00:00Z"}

    assert REGISTRY.upcast("casework.CaseClosed", 1, data) == data


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownEventType, match=r"casework\.CaseReopened"):
        REGISTRY.upcast("casework.CaseReopened", 1, {})


def test_a_version_newer_than_the_code_knows_is_refused() -> None:
    with pytest.raises(UnknownEventType, match="v4 is newer than v3"):
        REGISTRY.upcast("casework.CaseDecided", 4, _case_decided_v1("approved", "ok"))


def test_an_old_version_without_an_upcaster_is_refused() -> None:
    registry = EventRegistry()
    registry.register(CaseDecided)

    with pytest.raises(UnknownEventType, match=r"no upcaster for casework\.CaseDecided v1"):
        registry.upcast("casework.CaseDecided", 1, _case_decided_v1("approved", "ok"))
