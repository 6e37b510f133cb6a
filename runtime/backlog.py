"""Urgent work first: deferrable projections wait while the service's urgent ones have a backlog.

A service runs the projections a citizen is waiting for (open the case, assess the fee, file
it, send the receipt) beside ones nobody waits for in that moment (the clerks' desk, the
decision letter and fee notice, the access log). Under load all of them compete for the same
two cores — in the service's one event loop and, through their statements and messages, in
PostgreSQL and nats-server — and the receipt waited behind the desk. So each urgent runner
reports how many commits it still has queued (JetStream says so with every message), and
before each fetch a deferrable runner waits until none is left.

The wait is bounded: after ``longest_wait`` seconds a deferrable runner applies one batch
anyway, so a service that is never idle still builds its desk and its letters — later, not
never. A runner that stops, fails or pauses takes its report back, so nothing waits for work
that is not being done.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

LONGEST_WAIT = 120.0
"""Seconds a deferrable runner waits for the urgent ones at most before its next batch."""


class Backlog:
    """How many commits each urgent runner of this process still has queued."""

    def __init__(self, longest_wait: float = LONGEST_WAIT) -> None:
        self.longest_wait = longest_wait
        self._pending: dict[str, int] = {}
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def pending(self) -> int:
        """Commits queued for urgent runners, as last reported."""
        return sum(self._pending.values())

    def report(self, runner: str, pending: int) -> None:
        """``runner`` has ``pending`` commits queued after the ones in its hand (0: none)."""
        if pending > 0:
            self._pending[runner] = pending
        else:
            self._pending.pop(runner, None)
        if self._pending:
            self._quiet.clear()
        else:
            self._quiet.set()

    async def wait_quiet(self) -> float:
        """Wait until no urgent work is queued, or ``longest_wait`` has passed; the seconds
        waited (for the runner's status)."""
        if self._quiet.is_set():
            return 0.0
        started = time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), self.longest_wait)
        return time.monotonic() - started
