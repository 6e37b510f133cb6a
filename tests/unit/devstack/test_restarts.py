"""When the development stack restarts a crashed process, and when it gives up."""

from __future__ import annotations

import pytest

from devstack.restarts import CrashHistory, GiveUp, Restart, RestartPolicy, describe_exit, seconds

POLICY = RestartPolicy()


def crash_soon_after_each_start(history: CrashHistory, at: list[float]) -> list[object]:
    """Crash at each time in ``at``, restarted (after its delay) in between."""
    decisions: list[object] = []
    for now in at:
        decisions.append(decision := history.crashed(now))
        if isinstance(decision, Restart):
            history.started(now + decision.delay)
    return decisions


def test_the_defaults_double_from_a_second_to_half_a_minute_and_give_up_at_five() -> None:
    assert (POLICY.first_delay, POLICY.max_delay, POLICY.stable_after) == (1.0, 30.0, 60.0)
    assert (POLICY.max_crashes, POLICY.crash_window) == (5, 300.0)


def test_a_process_that_keeps_crashing_waits_twice_as_long_each_time_up_to_the_cap() -> None:
    policy = RestartPolicy(max_crashes=100)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_the_first_crash_is_restarted_after_a_second() -> None:
    history = CrashHistory(POLICY, started_at=0.0)
    assert history.crashed(10.0) == Restart(delay=1.0, number=1)


def test_crashes_in_a_row_back_off_and_are_numbered() -> None:
    history = CrashHistory(POLICY, started_at=0.0)
    decisions = crash_soon_after_each_start(history, [5.0, 7.0, 11.0, 18.0])
    assert decisions == [Restart(1.0, 1), Restart(2.0, 2), Restart(4.0, 3), Restart(8.0, 4)]


def test_five_crashes_within_five_minutes_give_up() -> None:
    history = CrashHistory(POLICY, started_at=0.0)
    decisions = crash_soon_after_each_start(history, [5.0, 7.0, 11.0, 18.0, 30.0])
    assert decisions[-1] == GiveUp(crashes=5, window=300.0)


def test_a_process_that_stayed_up_a_minute_starts_the_back_off_anew() -> None:
    history = CrashHistory(POLICY, started_at=0.0)
    crash_soon_after_each_start(history, [5.0, 7.0, 11.0])
    assert history.crashed(15.0 + 60.0) == Restart(delay=1.0, number=4)


def test_crashes_older_than_the_window_are_forgotten() -> None:
    history = CrashHistory(RestartPolicy(stable_after=1000.0), started_at=0.0)
    decisions = crash_soon_after_each_start(history, [100.0 * n for n in range(1, 8)])
    assert all(isinstance(d, Restart) for d in decisions), decisions


def test_the_numbers_are_parameters() -> None:
    history = CrashHistory(RestartPolicy(first_delay=0.5, max_crashes=2), started_at=0.0)
    assert crash_soon_after_each_start(history, [1.0, 2.0]) == [
        Restart(0.5, 1),
        GiveUp(crashes=2, window=300.0),
    ]


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (-9, "code -9, signal SIGKILL"),
        (-15, "code -15, signal SIGTERM"),
        (1, "code 1"),
        (0, "code 0"),
        (-99, "code -99"),
    ],
)
def test_an_exit_status_is_said_with_its_signal(code: int, said: str) -> None:
    assert describe_exit(code) == said


def test_durations_read_naturally() -> None:
    assert [seconds(1.0), seconds(0.5), seconds(30.0), seconds(300.0)] == [
        "1 s",
        "0.5 s",
        "30 s",
        "5 min",
    ]
