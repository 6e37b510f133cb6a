"""PostgreSQL access: the pool, single connections, the database itself, advisory-lock keys.

Schema migrations are in ``runtime.schema``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import structlog

log = structlog.get_logger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Pool release hook: nothing to reset.

    asyncpg's default resets every released connection with a round trip of its own
    (UNLISTEN, RESET ALL, advisory unlock). Our code leaves no session state behind —
    settings are ``SET LOCAL``, locks are transaction locks, listeners use their own
    connection — so the round trip is pure cost.
    """


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 8) -> asyncpg.Pool:
    """A connection pool with JSON codecs.

    JIT compilation is off: our statements are short index lookups, and a prepared
    statement's generic plan (which PostgreSQL adopts after five runs) can be estimated
    above ``jit_above_cost`` — then each run spends hundreds of milliseconds compiling
    (seen in the desk benchmark: a name search at a million cases, 9 ms planned alone,
    took 470 ms through the API).
    """
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=60,
        server_settings={"jit": "off"},
    )
    return pool


async def connect(url: str) -> asyncpg.Connection:
    """A single connection with JSON codecs (for locks held as long as a session)."""
    conn: asyncpg.Connection = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn


async def ensure_database(url: str) -> None:
    """Create the database ``url`` names if it does not exist (needs CREATEDB)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
                log.info("database created", database=name)
            except asyncpg.DuplicateDatabaseError:
                pass
    finally:
        await conn.close()


def record_to_dict(record: Any) -> dict[str, Any]:
    """An asyncpg record as a plain dict."""
    return dict(record.items())
