"""The order of the senders' queue; retrying a failed delivery: doubling waits up to a cap,
and giving up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notify.domain.delivery import (
    DEFERRABLE,
    PROMPT,
    USUAL,
    next_attempt,
    priority,
    retry_delay,
)

NOW = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (0, 30.0),
        (1, 30.0),
        (2, 60.0),
        (3, 120.0),
        (4, 240.0),
        (7, 1920.0),
        (8, 3600.0),
        (20, 3600.0),
    ],
)
def test_the_wait_doubles_from_the_base_up_to_the_cap(attempts: int, delay: float) -> None:
    result = retry_delay(attempts, base=30.0, cap=3600.0)

    assert result == delay
    assert isinstance(result, float)


def test_the_next_attempt_is_the_delay_after_now() -> None:
    assert next_attempt(NOW, 1, 8, 30.0, 3600.0, permanent=False) == NOW + timedelta(seconds=30)
    assert next_attempt(NOW, 3, 8, 30.0, 3600.0, permanent=False) == NOW + timedelta(minutes=2)
    assert next_attempt(NOW, 7, 8, 30.0, 3600.0, permanent=False) == NOW + timedelta(minutes=32)


def test_a_permanent_error_is_not_retried() -> None:
    assert next_attempt(NOW, 1, 8, 30.0, 3600.0, permanent=True) is None


@pytest.mark.parametrize("attempts", [8, 9])
def test_notify_gives_up_after_the_maximum_number_of_attempts(attempts: int) -> None:
    assert next_attempt(NOW, attempts, 8, 30.0, 3600.0, permanent=False) is None


def test_a_single_allowed_attempt_is_never_retried() -> None:
    assert next_attempt(NOW, 1, 1, 30.0, 3600.0, permanent=False) is None


def test_a_receipt_goes_before_the_rest_and_forwardings_to_authorities_last() -> None:
    assert priority("acknowledgement") == priority("objection_received") == PROMPT
    assert priority("decision") == priority("fee_notice") == priority("new_case") == USUAL
    assert priority("xgewerbeanzeige.finanzamt") == DEFERRABLE
    assert PROMPT < USUAL < DEFERRABLE
