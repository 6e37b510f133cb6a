"""A projector process for the crash test: applies the counter projection slowly.

Before applying each event it appends the event's sequence to a file outside the database,
so the test can tell that a kill hit the middle of a batch (the file is ahead of the
committed checkpoint).

    python -m tests.support.projector_process NATS_URL NAMESPACE DATABASE_URL TOUCHED_FILE
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

import asyncpg

from contracts.base import DomainEvent
from contracts.naming import Service
from runtime.codec import Envelope
from tests.support.projections import counter_projection, record
from tests.support.runtime import connected_runtime


async def main(nats_url: str, namespace: str, database_url: str, touched: Path) -> None:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)

    async def slow_record(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        with touched.open("a") as file:
            file.write(f"{envelope.stream_seq}\n")
        await asyncio.sleep(0.01)
        await record(conn, envelope)

    projection = replace(counter_projection(batch_size=50), handle=slow_record)
    await runtime.runner(projection, Service.INTAKE).run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])))
