"""Urgent work first: deferrable projections wait while urgent ones, here or in the suite, are busy.

A service runs the projections a citizen is waiting for (open the case, assess the fee, file
it, send the receipt) beside ones nobody waits for in that moment (the clerks' desk, the
decision letter and fee notice, the access log). Under load all of them compete for the same
two cores — in the service's one event loop and, through their statements and messages, in
PostgreSQL and nats-server — and the receipt waited behind the desk. So each urgent runner
reports how many commits it still has queued (JetStream says so with every message), and
before each fetch a deferrable runner waits until none is left *and* no urgent runner has
fetched a commit for ``settle`` seconds. The queue alone is not enough: under a steady stream
of applications each urgent runner takes what is there and is empty again a moment later, so
at most fetches nothing is queued — and deferred work slipped in between, taking the CPU the
next application needed. Every application passes every service's urgent runners, so a
service whose urgent runners were just busy is a good sign of a suite under load, without
asking the other services.

A service's own runners do not see the whole suite, though: once the last application is
posted, casework's urgent runners fall quiet while billing and archive are still assessing
and filing it — and casework's letters would start taking the CPU the filing needs. So in a
calm moment a deferrable runner also asks JetStream (``queued_in_suite``): every runner marks
its consumer as urgent or deferred (``consumer_metadata``), and while an urgent consumer on a
stream this service reads has commits queued or in hand, the suite is busy. The consumers of
a service that is down, or of a paused projection, do not count: nothing fetched from them
for ``ACTIVE_WITHIN`` seconds means nobody is working on them.

The wait is bounded: after ``longest_wait`` seconds a deferrable runner goes ahead anyway and
catches up with everything queued for it at that moment before it waits again, so a service
that is never idle still builds its desk and its letters — later, not never, and never more
than one wait behind. A runner that stops, fails or pauses takes its report back, so nothing
waits for work that is not being done.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime

import structlog
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

log = structlog.get_logger(__name__)

LONGEST_WAIT = 120.0
"""Seconds a deferrable runner waits for the urgent ones at most before its next batch."""

SETTLE = 0.5
"""Seconds without an urgent commit fetched before deferrable work counts as not in the way."""

ASK_EVERY = 2.0
"""Seconds a calm answer from JetStream holds; a busy one is asked again after ``settle``."""

URGENCY = "rathaus-urgency"
"""The consumer metadata key that says whether a runner's consumer is urgent or deferred."""

ACTIVE_WITHIN = 10.0
"""An urgent consumer counts only while someone waits on it or fetched from it this recently."""


def consumer_metadata(deferred: bool) -> dict[str, str]:
    """What a runner's consumer carries, so other services can tell urgent work from the rest."""
    return {URGENCY: "deferred" if deferred else "urgent"}


async def queued_in_suite(js: JetStreamContext, streams: Iterable[str]) -> int:
    """Commits that urgent runners anywhere have queued or in hand on ``streams``."""
    now = datetime.now(UTC)
    total = 0
    for stream in streams:
        try:
            consumers = await js.consumers_info(stream)
        except NotFoundError:  # its owner has not started yet
            continue
        total += sum(_urgent_work(info, now) for info in consumers)
    return total


def _urgent_work(info: ConsumerInfo, now: datetime) -> int:
    if (info.config.metadata or {}).get(URGENCY) != "urgent":
        return 0
    last = info.delivered.last_active if info.delivered else None
    active = bool(info.num_waiting) or (
        last is not None and (now - last).total_seconds() < ACTIVE_WITHIN
    )
    return (info.num_pending or 0) + (info.num_ack_pending or 0) if active else 0


class Backlog:
    """How many commits each urgent runner of this process still has queued."""

    def __init__(
        self,
        longest_wait: float = LONGEST_WAIT,
        settle: float = SETTLE,
        suite: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.longest_wait = longest_wait
        self.settle = settle
        self.suite = suite
        """Asks how much urgent work the rest of the suite has (``queued_in_suite``)."""
        self._last_fetched = -settle  # monotonic time; long enough ago at the start
        self._asked: tuple[float, int] = (-ASK_EVERY, 0)  # when, and the answer
        self._asking = asyncio.Lock()
        self._pending: dict[str, int] = {}
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def pending(self) -> int:
        """Commits queued for urgent runners, as last reported."""
        return sum(self._pending.values())

    def report(self, runner: str, pending: int, *, fetched: bool = False) -> None:
        """``runner`` has ``pending`` commits queued after the ones in its hand (0: none);
        ``fetched``: it has just fetched commits."""
        if fetched:
            self._last_fetched = time.monotonic()
        if pending > 0:
            self._pending[runner] = pending
        else:
            self._pending.pop(runner, None)
        if self._pending:
            self._quiet.clear()
        else:
            self._quiet.set()

    async def wait_quiet(self) -> float:
        """Wait until no urgent work is queued or was just fetched, or ``longest_wait`` has
        passed; the seconds waited (for the runner's status)."""
        started = time.monotonic()
        deadline = started + self.longest_wait
        waited = False
        while (now := time.monotonic()) < deadline:
            if not self._quiet.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._quiet.wait(), deadline - now)
            elif (calm := now - self._last_fetched) < self.settle:
                await asyncio.sleep(min(self.settle - calm, deadline - now))
            elif await self._suite_busy():
                await asyncio.sleep(min(max(self.settle, 0.05), deadline - now))
            else:
                break
            waited = True
        return time.monotonic() - started if waited else 0.0

    async def _suite_busy(self) -> bool:
        """Whether the suite's urgent runners have work; one question at a time, and a calm
        answer is kept a while (every deferred runner asks before each fetch)."""
        if self.suite is None:
            return False
        async with self._asking:
            when, queued = self._asked
            if time.monotonic() - when >= (self.settle if queued else ASK_EVERY):
                try:
                    queued = await self.suite()
                except Exception as exc:  # no answer is no reason to hold work back
                    log.debug("could not ask for the suite's backlog", error=str(exc))
                    queued = 0
                self._asked = (time.monotonic(), queued)
        return queued > 0
