"""The keeper restarts what died, says so, and gives up on what keeps dying (fake processes)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devstack.console import Console
from devstack.keeper import GaveUpError, Keeper
from devstack.restarts import RestartPolicy


@dataclass
class FakeProcess:
    """A process whose death and readiness the test decides."""

    name: str = "casework"
    location: str = "http://127.0.0.1:8002"
    log_path: Path = Path("casework.log")
    exit_code: int | None = None
    ready: bool = False
    refuses_to_start: bool = False
    starts: int = 0

    def restart(self) -> None:
        if self.refuses_to_start:
            raise RuntimeError("port 8002 is still taken")
        self.starts += 1
        self.exit_code = None

    def is_ready(self) -> bool:
        return self.ready


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Watched:
    keeper: Keeper
    process: FakeProcess
    clock: Clock
    stream: io.StringIO
    recorded: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [line.strip() for line in self.stream.getvalue().splitlines()]

    def at(self, now: float) -> None:
        self.clock.now = now
        self.keeper.tick()


@pytest.fixture
def watched() -> Watched:
    clock, stream, process = Clock(), io.StringIO(), FakeProcess()
    keeper = Keeper(Console(stream), RestartPolicy(), clock=clock)
    result = Watched(keeper, process, clock, stream)
    keeper.keep(process, lambda: result.recorded.append(process.starts))
    return result


def test_a_running_process_is_left_alone(watched: Watched) -> None:
    watched.at(1.0)
    assert watched.lines() == []
    assert watched.process.starts == 0


def test_a_crash_is_announced_and_restarted_after_the_back_off(watched: Watched) -> None:
    watched.process.exit_code = -9
    watched.at(10.0)
    assert watched.lines() == [
        "! casework               exited (code -9, signal SIGKILL); restarting in 1 s (restart 1)"
    ]
    watched.at(10.5)
    assert watched.process.starts == 0
    watched.at(11.0)
    assert watched.process.starts == 1
    assert watched.recorded == [1], "the new process is recorded (in the run lock)"


def test_a_restarted_process_is_announced_once_it_is_ready(watched: Watched) -> None:
    watched.process.exit_code = 1
    watched.at(10.0)
    watched.at(11.0)
    watched.at(12.0)
    assert len(watched.lines()) == 1
    watched.process.ready = True
    watched.at(13.5)
    watched.at(14.0)
    assert watched.lines()[1:] == [
        "✓ casework               ready again at http://127.0.0.1:8002 (2.5 s)"
    ]


def test_a_start_that_fails_counts_as_a_crash_and_backs_off_further(watched: Watched) -> None:
    watched.process.exit_code = 1
    watched.at(10.0)
    watched.process.refuses_to_start = True
    watched.at(11.0)
    assert watched.lines()[-1] == (
        "! casework               could not be restarted (port 8002 is still taken); "
        "restarting in 2 s (restart 2)"
    )
    watched.process.refuses_to_start = False
    watched.at(13.0)
    assert watched.process.starts == 1


def crash_whenever_it_runs(watched: Watched, until: float) -> None:
    """Every 3 s: kill the process if it runs, then let the keeper look."""
    for now in range(0, int(until), 3):
        if watched.process.exit_code is None:
            watched.process.exit_code = 1
        watched.at(float(now))


def test_repeated_crashes_within_five_minutes_stop_the_stack(watched: Watched) -> None:
    with pytest.raises(GaveUpError) as gave_up:
        crash_whenever_it_runs(watched, until=120.0)  # crashes at 0, 6, 12, 21 and 33 s
    assert gave_up.value.target is watched.process
    assert str(gave_up.value) == "casework exited (code 1); crashed 5 times within 5 min, giving up"
    assert watched.process.starts == 4
