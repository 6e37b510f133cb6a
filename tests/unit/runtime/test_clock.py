"""The timers' clock: real time, moved only by a test's offset file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runtime.clock import Clock


def close(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(seconds=5)


def test_without_a_file_it_is_the_wall_clock() -> None:
    assert close(Clock().now(), datetime.now(UTC))


def test_an_offset_file_moves_it_and_is_read_at_each_call(tmp_path: Path) -> None:
    file = tmp_path / "clock"
    clock = Clock(str(file))
    assert close(clock.now(), datetime.now(UTC))  # no file yet
    file.write_text("+15d\n")
    assert close(clock.now(), datetime.now(UTC) + timedelta(days=15))
    file.write_text("-36h")
    assert close(clock.now(), datetime.now(UTC) - timedelta(hours=36))
    file.write_text("")
    assert clock.offset() == timedelta(0)


def test_an_unreadable_offset_says_what_it_expects(tmp_path: Path) -> None:
    file = tmp_path / "clock"
    file.write_text("tomorrow")
    with pytest.raises(ValueError, match=r"no offset such as \+15d"):
        Clock(str(file)).now()
