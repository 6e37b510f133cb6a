"""Looking into every place data could hide: all streams, all service databases."""

from __future__ import annotations

import asyncpg
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from contracts.naming import Namespace, Service
from runtime.reader import read_stream


async def all_messages(js: JetStreamContext, ns: Namespace) -> list[Msg]:
    """Every message of every event stream of the namespace."""
    found = []
    for service in Service:
        found.extend([msg async for msg in read_stream(js, ns.stream(service))])
    return found


async def stream_messages(js: JetStreamContext, stream: str) -> list[Msg]:
    """Every message of one stream (e.g. the object store's)."""
    return [msg async for msg in read_stream(js, stream)]


async def database_text(url: str) -> str:
    """Every row of every table of the service's own schemas, as text."""
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            " AND table_type = 'BASE TABLE'"
        )
        chunks: list[str] = []
        for table in tables:
            rows = await conn.fetch(
                f'SELECT row_to_json(t)::text AS row FROM "{table[0]}"."{table[1]}" t'
            )
            chunks.extend(row["row"] for row in rows)
        return "\n".join(chunks)
    finally:
        await conn.close()
