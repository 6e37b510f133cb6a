"""Each service's own database, created on the PostgreSQL server when it is missing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from urllib.parse import urlsplit

import asyncpg

from devstack.suite import database_name, with_database


async def _exists(url: str) -> bool:
    try:
        conn = await asyncpg.connect(url, timeout=10)
    except asyncpg.InvalidCatalogNameError:
        return False
    await conn.close()
    return True


async def _create(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        # CREATE DATABASE takes no parameters; the name is quoted as an identifier.
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"CREATE DATABASE {quoted}")
    except asyncpg.DuplicateDatabaseError:
        pass  # created meanwhile by a service starting up: what we wanted
    finally:
        await conn.close()


async def ensure_databases_async(urls: Iterable[str], admin_url: str | None = None) -> list[str]:
    """Create the databases the URLs name where missing; returns the names created.

    A database is created through ``admin_url`` when it is on that server (same user, host
    and port), else through the ``postgres`` database of its own server, with its own URL's
    credentials.
    """
    created = []
    for url in urls:
        if await _exists(url):
            continue
        name = database_name(url)
        await _create(admin_for(url, admin_url), name)
        created.append(name)
    return created


def admin_for(url: str, admin_url: str | None) -> str:
    """The URL to create ``url``'s database through."""
    if admin_url and urlsplit(admin_url).netloc == urlsplit(url).netloc:
        return admin_url
    return with_database(url, "postgres")


def ensure_databases(urls: Iterable[str], admin_url: str | None = None) -> list[str]:
    """``ensure_databases_async`` for synchronous callers."""
    return asyncio.run(ensure_databases_async(list(urls), admin_url))
