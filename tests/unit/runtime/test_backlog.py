"""The backlog deferred runners wait on: quiet when no urgent runner has anything queued."""

from __future__ import annotations

import asyncio

from runtime.backlog import Backlog


async def test_quiet_until_an_urgent_runner_reports_queued_work() -> None:
    backlog = Backlog(longest_wait=5.0, settle=0.0)
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


async def test_not_quiet_while_urgent_commits_keep_coming() -> None:
    """Under a steady stream each urgent runner is empty again after every fetch: the queue
    alone would say "quiet" all the time."""
    backlog = Backlog(longest_wait=5.0, settle=0.3)
    waiting = asyncio.create_task(backlog.wait_quiet())
    await asyncio.sleep(0)
    assert waiting.done()  # nothing fetched yet: quiet from the start
    assert waiting.result() == 0.0

    backlog.report("a", 0, fetched=True)  # took what there was; nothing left queued
    waiting = asyncio.create_task(backlog.wait_quiet())
    for _ in range(5):  # a commit every 0.1 s keeps it busy
        await asyncio.sleep(0.1)
        assert not waiting.done()
        backlog.report("a", 0, fetched=True)
    waited = await asyncio.wait_for(waiting, 2.0)
    assert 0.8 <= waited < 1.5  # 0.5 s of commits, then 0.3 s calm


async def test_the_settling_is_bounded_too() -> None:
    backlog = Backlog(longest_wait=0.2, settle=10.0)
    backlog.report("a", 0, fetched=True)
    waited = await asyncio.wait_for(backlog.wait_quiet(), 2.0)
    assert 0.2 <= waited < 1.0


async def test_a_busy_suite_holds_deferred_work_back_until_it_is_calm() -> None:
    answers = [3, 1, 0]
    asked: list[int] = []

    async def suite() -> int:
        asked.append(answers[0])
        return answers.pop(0) if len(answers) > 1 else answers[0]

    backlog = Backlog(longest_wait=5.0, settle=0.1, suite=suite)
    waited = await asyncio.wait_for(backlog.wait_quiet(), 2.0)
    assert asked == [3, 1, 0]  # asked again after each settling while busy
    assert 0.2 <= waited < 1.0
    assert await backlog.wait_quiet() == 0.0
    assert asked == [3, 1, 0]  # a calm answer holds a while: not asked again at once


async def test_a_suite_that_cannot_be_asked_holds_nothing_back() -> None:
    async def suite() -> int:
        raise ConnectionError("NATS is away")

    backlog = Backlog(longest_wait=5.0, settle=0.1, suite=suite)
    assert await asyncio.wait_for(backlog.wait_quiet(), 1.0) == 0.0
