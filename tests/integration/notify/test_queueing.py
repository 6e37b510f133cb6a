"""A queued message wakes the senders when its transaction commits (``outbox.WAKE_TRIGGER``).

Senders also poll, so a missing wake-up would only make every mail late; this test is what
notices it.
"""

from __future__ import annotations

import asyncio

import asyncpg

from runtime.ids import new_id
from runtime.service import Runtime
from services.notify.domain.templates import Message
from services.notify.projections.queueing import CHANNEL, Outgoing, queue


def outgoing() -> Outgoing:
    return Outgoing(
        message_id=new_id(),
        tenant="14729410",
        case_id=new_id(),
        data_key=None,
        correlation_id=new_id(),
        template="acknowledgement",
        recipient="erika@example.org",
        message=Message("Eingangsbestätigung", "Guten Tag"),
    )


async def test_a_queued_message_wakes_the_senders_once_it_is_committed(
    rt: Runtime, database_url: str
) -> None:
    woken: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(database_url)
    await listener.add_listener(CHANNEL, lambda _conn, _pid, channel, _: woken.put_nowait(channel))
    try:
        async with rt.pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute("SET LOCAL search_path TO rm_outbox")
                await queue(conn, outgoing())
                await queue(conn, outgoing())
                await asyncio.sleep(0.3)
                assert woken.empty()  # not before the messages can be claimed
            assert await asyncio.wait_for(woken.get(), 5) == CHANNEL
            await asyncio.sleep(0.3)
            assert woken.empty()  # the same transaction's wake-ups are one
            assert await conn.fetchval("SELECT count(*) FROM rm_outbox.outbox") == 2
    finally:
        await listener.close()
