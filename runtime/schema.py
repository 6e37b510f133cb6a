"""Schema migrations: numbered, forward-only, applied under a lock at start, recorded.

Two kinds, one discipline:

* **Database migrations** are SQL files ``NNNN_what.sql`` — the runtime's own
  (``runtime/migrations/``) and a service's (``services/<name>/migrations/``). Each is applied
  once, in number order, inside one transaction under an advisory lock (replicas starting
  together do not race), and recorded in ``rc_migrations`` with its checksum.
* **Read-model migrations** are the numbered steps of a projection (``Projection.migrations``),
  applied inside the projection's own schema and recorded there (``rc_schema``), so that a
  rebuild into a fresh schema runs the same steps and the record moves with the schema.

Forward-only means a migration is never edited once released (a changed checksum stops the
start) and never undone: a rollback runs the older code on the newer schema. That is why
migrations only *add* (tables, nullable columns, indexes) and a later release removes what is
no longer read. An older version that finds migrations it does not know says so and runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import structlog

from runtime.database import lock_key

log = structlog.get_logger(__name__)

RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = "rathaus:migrations"
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """The recorded migrations and the code disagree in a way that must stop the start."""


@dataclass(frozen=True)
class Migration:
    """One numbered step: where it comes from, its number and its SQL."""

    source: str
    number: int
    name: str
    sql: str

    @property
    def key(self) -> str:
        """How it is recorded, e.g. ``runtime/0003_outbox.sql``."""
        return f"{self.source}/{self.name}"

    @property
    def checksum(self) -> str:
        """SHA-256 of the SQL: a released migration must never change."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def read_migrations(source: str, folder: Path | None) -> list[Migration]:
    """The migrations of one folder, in number order; refuses badly named or doubled ones."""
    if folder is None or not folder.is_dir():
        return []
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration files are named NNNN_what.sql")
        found.append(
            Migration(source, int(match.group(1)), path.name, path.read_text(encoding="utf-8"))
        )
    numbers = [m.number for m in found]
    if len(set(numbers)) != len(numbers) or numbers != list(range(1, len(numbers) + 1)):
        raise MigrationError(f"{folder}: migrations must be numbered 0001, 0002, … without gaps")
    return found


async def migrate_database(pool: asyncpg.Pool, sources: Sequence[Migration]) -> list[str]:
    """Apply the pending migrations in one transaction; returns the keys applied."""
    applied: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(_MIGRATION_LOCK))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS rc_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        await conn.execute("ALTER TABLE rc_migrations ADD COLUMN IF NOT EXISTS checksum text")
        recorded = {
            row["name"]: row["checksum"]
            for row in await conn.fetch("SELECT name, checksum FROM rc_migrations")
        }
        for migration in sources:
            if migration.key in recorded:
                _check_unchanged(migration, recorded[migration.key])
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO rc_migrations (name, checksum) VALUES ($1, $2)",
                migration.key,
                migration.checksum,
            )
            applied.append(migration.key)
        sources_seen = {m.source for m in sources}
        unknown = sorted(
            key
            for key in set(recorded) - {m.key for m in sources}
            if key.split("/", 1)[0] in sources_seen
        )
    if unknown:
        log.warning(
            "database has migrations this version does not know (a newer version ran here);"
            " running on the newer schema",
            unknown=unknown,
        )
    if applied:
        log.info("migrations applied", migrations=applied)
    return applied


def _check_unchanged(migration: Migration, checksum: str | None) -> None:
    if checksum is not None and checksum != migration.checksum:
        raise MigrationError(
            f"migration {migration.key} was changed after it was applied; released migrations"
            " are never edited — add a new one instead"
        )


async def migrate_schema(conn: asyncpg.Connection, schema: str, steps: Sequence[str]) -> int:
    """Bring a read-model schema to ``len(steps)``; returns the version it had before.

    Runs inside the caller's transaction, with ``search_path`` set to the schema. A schema of
    a newer version (an older release after a rollback) is left as it is.
    """
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS rc_schema (version integer NOT NULL, only_row boolean"
        " PRIMARY KEY DEFAULT true CHECK (only_row))"
    )
    version: int | None = await conn.fetchval("SELECT version FROM rc_schema")
    current = version or 0
    if current > len(steps):
        log.warning(
            "read model is of a newer version; running on it",
            schema=schema,
            version=current,
            known=len(steps),
        )
        return current
    for sql in steps[current:]:
        await conn.execute(sql)
    if current < len(steps):
        await conn.execute(
            "INSERT INTO rc_schema (version) VALUES ($1)"
            " ON CONFLICT (only_row) DO UPDATE SET version = $1",
            len(steps),
        )
    return current
