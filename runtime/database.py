"""PostgreSQL access: the pool, the service's own migrations, and advisory-lock keys.

A service's migrations are plain SQL files in its ``migrations/`` folder, applied in name
order, each once, under an advisory lock so that replicas starting together do not race.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import structlog

log = structlog.get_logger(__name__)

_MIGRATION_LOCK = "rathaus:migrations"

RUNTIME_DDL = """
CREATE TABLE IF NOT EXISTS rc_dead_letters (
    id             bigserial PRIMARY KEY,
    projection     text        NOT NULL,
    stream         text        NOT NULL,
    stream_seq     bigint      NOT NULL,
    subject        text        NOT NULL,
    event_types    text        NOT NULL,
    headers        jsonb       NOT NULL,
    data           bytea       NOT NULL,
    error          text        NOT NULL,
    attempts       integer     NOT NULL,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolution     text,
    UNIQUE (projection, stream, stream_seq)
);
"""


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
    """A connection pool with JSON codecs."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=60,
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


async def migrate(pool: asyncpg.Pool, folder: Path | None) -> list[str]:
    """Apply the runtime's tables and the service's pending migrations; returns their names."""
    applied: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(_MIGRATION_LOCK))
        await conn.execute(RUNTIME_DDL)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS rc_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row["name"] for row in await conn.fetch("SELECT name FROM rc_migrations")}
        for path in _migration_files(folder):
            if path.name in done:
                continue
            await conn.execute(path.read_text(encoding="utf-8"))
            await conn.execute("INSERT INTO rc_migrations (name) VALUES ($1)", path.name)
            applied.append(path.name)
    if applied:
        log.info("migrations applied", migrations=applied)
    return applied


def _migration_files(folder: Path | None) -> list[Path]:
    return sorted(folder.glob("*.sql")) if folder and folder.is_dir() else []


def record_to_dict(record: Any) -> dict[str, Any]:
    """An asyncpg record as a plain dict."""
    return dict(record.items())
