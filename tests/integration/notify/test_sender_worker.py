"""Messages put together in notify's worker process, and a receipt that never waits for it.

Against the test run's PostgreSQL and a real SMTP server: a decision is put together in the
worker (a real process) and arrives as the sender would have made it itself; while every
worker slot waits, the sender left over takes a citizen's receipt — and only a receipt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import asyncpg

from runtime.ids import new_id
from runtime.service import Runtime
from services.notify.sender import Baton, Sender, WorkerSlots
from services.notify.settings import NotifySettings
from tests.integration.notify.conftest import HOLDER, deliver_all, queued
from tests.integration.notify.test_sender_leases import present
from tests.support.mail import SmtpServer, text_of


async def queued_receipt(db: asyncpg.Pool, recipient: str) -> object:
    message = new_id()
    await db.execute(
        "INSERT INTO rm_outbox.outbox (message_id, tenant, case_id, template, recipient,"
        " subject, body, priority) VALUES ($1, '14729410', $2, 'acknowledgement', $3,"
        " 'Eingangsbestätigung', 'Ihr Antrag ist eingegangen.', 0)",
        message,
        new_id(),
        recipient,
    )
    return message


async def a_key(rt: Runtime) -> str:
    """A case's data key, as the decisions' cases have one."""
    key = str(new_id())
    await rt.keys.create(key)
    return key


class GatedWorker:
    """A worker that holds every job until it is let go (as a busy machine's niced worker
    would), then runs it here."""

    def __init__(self) -> None:
        self.waiting = 0
        self.holds = asyncio.Event()
        self.go = asyncio.Event()

    async def __call__(self, job: Callable[[Any], Any], argument: Any) -> Any:
        self.waiting += 1
        self.holds.set()
        await self.go.wait()
        return job(argument)


def two_senders(
    rt: Runtime, smtp: SmtpServer, worker: GatedWorker, baton: Baton
) -> tuple[Sender, Sender]:
    """Two senders of one process with one worker slot between them, on the gated worker."""
    settings = NotifySettings(environment="test", smtp_port=smtp.port)
    runtime = SimpleNamespace(
        pool=rt.pool, keys=rt.keys, attachments=rt.attachments, settings=settings, worker=worker
    )
    slots = WorkerSlots(2)
    first, second = (
        Sender(runtime, settings, baton, HOLDER, slots)  # type: ignore[arg-type]
        for _ in range(2)
    )
    return first, second


async def test_a_decision_is_put_together_in_the_worker_process(
    rt: Runtime, smtp: SmtpServer, database_url: str
) -> None:
    settings = NotifySettings(environment="test", smtp_port=smtp.port)
    key = await a_key(rt)
    await queued_receipt(rt.pool, "anna@example.org")
    await deliver_all(rt, settings, database_url)
    assert rt.worker._pool is None  # a receipt is put together by the sender itself

    await queued(rt.pool, key, "bernd@example.org")
    await deliver_all(rt, settings, database_url)
    assert rt.worker._pool is not None  # the decision went to the worker process

    receipt, decision = await smtp.mailbox.wait_for(2)
    assert (str(receipt["To"]), str(receipt["Subject"])) == (
        "anna@example.org",
        "Eingangsbestätigung",
    )
    assert (str(decision["To"]), str(decision["Subject"])) == ("bernd@example.org", "Bescheid")
    assert text_of(decision).strip() == "Text"
    assert str(decision["Message-ID"]).endswith("@rathauscloud.example>")
    assert "noreply@rathauscloud.example" in str(decision["From"])


async def test_a_receipt_goes_out_while_every_worker_slot_waits(
    rt: Runtime, smtp: SmtpServer, database_url: str
) -> None:
    worker, baton = GatedWorker(), Baton()
    first, second = two_senders(rt, smtp, worker, baton)
    key = await a_key(rt)
    presence = await present(database_url, HOLDER)
    try:
        await queued(rt.pool, key, "bernd@example.org")
        await queued(rt.pool, key, "clara@example.org")
        held = asyncio.create_task(first.deliver_one())  # takes the slot and a decision
        await asyncio.wait_for(worker.holds.wait(), 30)
        # No slot left: the other decision is not for the second sender (had it taken it, it
        # would wait in the worker too, and the receipt below behind both) ...
        assert await asyncio.wait_for(second.deliver_one(), 10) is False
        # ... which is there for the receipt that comes now.
        await queued_receipt(rt.pool, "anna@example.org")
        assert await asyncio.wait_for(second.deliver_one(), 10) is True
        assert [str(m["To"]) for m in await smtp.mailbox.wait_for(1)] == ["anna@example.org"]

        worker.go.set()
        assert await held is True
        while await first.deliver_one():
            pass
        mails = await smtp.mailbox.wait_for(3)
        assert [str(m["To"]) for m in mails] == [
            "anna@example.org",
            "bernd@example.org",
            "clara@example.org",
        ]
        assert worker.waiting == 2
    finally:
        await presence.close()


async def test_a_slot_given_back_wakes_a_sender_that_found_none(
    rt: Runtime, smtp: SmtpServer, database_url: str
) -> None:
    """A sender without a slot looks only for receipts; a decision queued meanwhile must not
    wait for the next poll once the slot is free again."""
    worker, baton = GatedWorker(), Baton()
    first, second = two_senders(rt, smtp, worker, baton)
    key = await a_key(rt)
    presence = await present(database_url, HOLDER)
    try:
        await queued(rt.pool, key, "bernd@example.org")
        held = asyncio.create_task(first.deliver_one())
        await asyncio.wait_for(worker.holds.wait(), 30)
        assert await asyncio.wait_for(second.deliver_one(), 10) is False  # no slot
        idle = asyncio.Event()
        baton.idle(idle)  # the second sender, waiting for a wake-up
        worker.go.set()
        assert await held is True
        assert idle.is_set()  # woken when the slot came back
        assert await asyncio.wait_for(second.deliver_one(), 10) is False  # nothing left now
    finally:
        await presence.close()
