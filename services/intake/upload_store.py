"""intake's record of uploads: which files belong to which application, until it is submitted.

An upload's object is named ``<application id>/<attachment id>`` — the application id is also
the case's data key id, so erasure finds every file of a case by that prefix.

An upload is stored in the object store at once and recorded here; the submission names its
uploads by id, and only uploads recorded for the same application may be named. What is
never submitted — an application abandoned, or refused — is removed after a while
(``remove_abandoned``), object and record.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from uuid import UUID

import asyncpg
import structlog
from nats.js.errors import NotFoundError
from nats.js.object_store import ObjectStore

from contracts.events.intake import AttachmentRef
from runtime.http import FieldError

log = structlog.get_logger(__name__)

UNKNOWN = "Diese Datei ist unbekannt oder wurde nicht für diesen Antrag hochgeladen."


async def count(pool: asyncpg.Pool, application_id: UUID) -> int:
    """How many files were uploaded for an application."""
    found: int = await pool.fetchval(
        "SELECT count(*) FROM uploads WHERE application_id = $1", application_id
    )
    return found


async def record(
    pool: asyncpg.Pool,
    *,
    attachment_id: UUID,
    application_id: UUID,
    tenant: str,
    procedure: str,
    object_name: str,
    reference: AttachmentRef,
) -> None:
    """Remember a stored upload."""
    await pool.execute(
        "INSERT INTO uploads (attachment_id, application_id, tenant, procedure, object_name,"
        " filename, content_type, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        attachment_id,
        application_id,
        tenant,
        procedure,
        object_name,
        reference.filename,
        reference.content_type,
        reference.size,
        reference.sha256,
    )


async def lookup(
    pool: asyncpg.Pool, application_id: UUID, ids: list[UUID]
) -> list[AttachmentRef] | list[FieldError]:
    """The references of the named uploads, in order — or a field error per unknown one."""
    if not ids:  # most applications carry none: no round trip on the POST's path
        return []
    rows = {
        row["attachment_id"]: row
        for row in await pool.fetch(
            "SELECT * FROM uploads WHERE application_id = $1 AND attachment_id = any($2)",
            application_id,
            ids,
        )
    }
    missing = [
        FieldError(field=f"attachments.{i}", message=UNKNOWN, type="attachment_unknown")
        for i, attachment_id in enumerate(ids)
        if attachment_id not in rows
    ]
    if missing:
        return missing
    return [
        AttachmentRef(
            attachment_id=str(i),
            filename=rows[i]["filename"],
            content_type=rows[i]["content_type"],
            size=rows[i]["size"],
            sha256=rows[i]["sha256"],
        )
        for i in ids
    ]


async def mark_submitted(pool: asyncpg.Pool, application_id: UUID) -> None:
    """The application carrying these uploads is in the log: they are no longer abandoned."""
    await pool.execute(
        "UPDATE uploads SET submitted_at = now() WHERE application_id = $1"
        " AND submitted_at IS NULL",
        application_id,
    )


async def remove_abandoned(pool: asyncpg.Pool, objects: ObjectStore, older_than: timedelta) -> int:
    """Delete uploads never submitted, older than ``older_than``; returns how many."""
    rows = await pool.fetch(
        "SELECT attachment_id, object_name FROM uploads"
        " WHERE submitted_at IS NULL AND created_at < now() - $1::interval",
        older_than,
    )
    for row in rows:
        with suppress(NotFoundError):
            await objects.delete(row["object_name"])
        await pool.execute("DELETE FROM uploads WHERE attachment_id = $1", row["attachment_id"])
    if rows:
        log.info("abandoned uploads removed", count=len(rows))
    return len(rows)
