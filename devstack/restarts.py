"""When to restart a crashed process of the development stack, and when to give up.

Pure: the caller passes the time (``now``, seconds on any monotonic clock), so the policy can
be tested with a fake clock. A process that keeps crashing is restarted after 1 s, 2 s, 4 s …
(at most 30 s); one that stayed up for a minute before it crashed starts again from 1 s, as
its crash is news, not the same fault again. Five crashes within five minutes mean the fault
will not heal by itself: then the stack stops and shows why.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RestartPolicy:
    """The back-off and the give-up rule, with the development stack's defaults."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    max_crashes: int = 5
    crash_window: float = 300.0

    def delay(self, consecutive: int) -> float:
        """The wait before the restart after the ``consecutive``-th crash in a row (from 1)."""
        return min(self.first_delay * 2.0 ** max(consecutive - 1, 0), self.max_delay)


@dataclass(frozen=True)
class Restart:
    """Start the process again after ``delay`` seconds; it is this run's ``number``-th restart."""

    delay: float
    number: int


@dataclass(frozen=True)
class GiveUp:
    """The process crashed ``crashes`` times within ``window`` seconds: stop trying."""

    crashes: int
    window: float


@dataclass
class CrashHistory:
    """What one process did so far: when it last started and when it crashed."""

    policy: RestartPolicy
    started_at: float
    crashes: list[float] = field(default_factory=list)
    consecutive: int = 0
    restarts: int = 0

    def started(self, now: float) -> None:
        """The process was started (again) at ``now``."""
        self.started_at = now

    def crashed(self, now: float) -> Restart | GiveUp:
        """The process ended at ``now`` without being asked to: what to do about it."""
        if now - self.started_at >= self.policy.stable_after:
            self.consecutive = 0
        self.consecutive += 1
        window = self.policy.crash_window
        self.crashes = [t for t in self.crashes if now - t < window] + [now]
        if len(self.crashes) >= self.policy.max_crashes:
            return GiveUp(len(self.crashes), window)
        self.restarts += 1
        return Restart(self.policy.delay(self.consecutive), self.restarts)


def describe_exit(code: int) -> str:
    """An exit status as a person reads it: ``code -9, signal SIGKILL`` or ``code 1``."""
    if code >= 0:
        return f"code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return f"code {code}"
    return f"code {code}, signal {name}"


def seconds(value: float) -> str:
    """A duration for the console: ``1 s``, ``0.5 s``, ``5 min``."""
    if value >= 120 and value % 60 == 0:
        return f"{value / 60:g} min"
    return f"{value:g} s"
