"""Schema migrations against a real PostgreSQL: once, recorded, never edited, newer tolerated."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from runtime.database import create_pool
from runtime.schema import (
    RUNTIME_MIGRATIONS,
    MigrationError,
    migrate_database,
    migrate_schema,
    read_migrations,
)


def folder(tmp_path: Path, **files: str) -> Path:
    path = tmp_path / "migrations"
    path.mkdir(exist_ok=True)
    for name, sql in files.items():
        (path / f"{name}.sql").write_text(sql)
    return path


async def test_migrations_run_once_in_order_and_are_recorded(
    tmp_path: Path, database_url: str
) -> None:
    pool = await create_pool(database_url)
    try:
        service = folder(
            tmp_path,
            **{
                "0001_create": "CREATE TABLE things (id int PRIMARY KEY)",
                "0002_add_name": "ALTER TABLE things ADD COLUMN name text",
            },
        )
        steps = [*read_migrations("runtime", RUNTIME_MIGRATIONS), *read_migrations("svc", service)]
        first = await migrate_database(pool, steps)
        assert first[-2:] == ["svc/0001_create.sql", "svc/0002_add_name.sql"]
        assert first[0] == "runtime/0001_dead_letters.sql"
        assert await migrate_database(pool, steps) == []
        rows = await pool.fetch("SELECT name, checksum FROM rc_migrations ORDER BY name")
        assert all(len(r["checksum"]) == 64 for r in rows)
        await pool.execute("INSERT INTO things VALUES (1, 'x')")
    finally:
        await pool.close()


async def test_an_edited_migration_stops_the_start(tmp_path: Path, database_url: str) -> None:
    pool = await create_pool(database_url)
    try:
        service = folder(tmp_path, **{"0001_create": "CREATE TABLE t (id int)"})
        await migrate_database(pool, read_migrations("svc", service))
        (service / "0001_create.sql").write_text("CREATE TABLE t (id bigint)")
        with pytest.raises(MigrationError, match="was changed after it was applied"):
            await migrate_database(pool, read_migrations("svc", service))
    finally:
        await pool.close()


async def test_an_older_release_runs_on_a_newer_schema(tmp_path: Path, database_url: str) -> None:
    """A rollback: the database knows a migration this release does not; it says so, runs."""
    pool = await create_pool(database_url)
    try:
        newer = folder(tmp_path, **{"0001_a": "CREATE TABLE a (id int)", "0002_b": "SELECT 1"})
        await migrate_database(pool, read_migrations("svc", newer))
        (newer / "0002_b.sql").unlink()
        assert await migrate_database(pool, read_migrations("svc", newer)) == []
    finally:
        await pool.close()


def test_badly_numbered_migrations_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="without gaps"):
        read_migrations("svc", folder(tmp_path, **{"0001_a": "", "0003_c": ""}))
    with pytest.raises(MigrationError, match=r"NNNN_what\.sql"):
        read_migrations("svc", folder(tmp_path, **{"1_bad": ""}))


async def test_read_model_steps_are_applied_and_recorded_in_the_schema(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CREATE SCHEMA rm_test; SET search_path TO rm_test")
        steps = ["CREATE TABLE IF NOT EXISTS r (id int)", "ALTER TABLE r ADD COLUMN n text"]
        async with conn.transaction():
            assert await migrate_schema(conn, "rm_test", steps[:1]) == 0
        async with conn.transaction():
            assert await migrate_schema(conn, "rm_test", steps) == 1
        assert await conn.fetchval("SELECT version FROM rm_test.rc_schema") == 2
        async with conn.transaction():  # an older release sees version 2, knows only 1
            assert await migrate_schema(conn, "rm_test", steps[:1]) == 2
        assert await conn.fetchval("SELECT version FROM rm_test.rc_schema") == 2
        await conn.execute("INSERT INTO rm_test.r VALUES (1, 'n')")
    finally:
        await conn.close()
