"""The backlog deferred runners wait on: quiet when no urgent runner has anything queued."""

from __future__ import annotations

import asyncio

from runtime.backlog import Backlog


async def test_quiet_until_an_urgent_runner_reports_queued_work() -> None:
    backlog = Backlog(longest_wait=5.0)
    assert await backlog.wait_quiet() == 0.0
    backlog.report("a", 3)
    backlog.report("b", 2)
    assert backlog.pending == 5
    waiting = asyncio.create_task(backlog.wait_quiet())
    await asyncio.sleep(0.05)
    backlog.report("a", 0)
    await asyncio.sleep(0.05)
    assert not waiting.done()  # b still has work queued
    backlog.report("b", 0)
    waited = await asyncio.wait_for(waiting, 1.0)
    assert 0.1 <= waited < 1.0
    assert backlog.pending == 0


async def test_the_wait_is_bounded() -> None:
    backlog = Backlog(longest_wait=0.2)
    backlog.report("a", 1)
    waited = await asyncio.wait_for(backlog.wait_quiet(), 2.0)
    assert 0.2 <= waited < 1.0
    assert backlog.pending == 1
