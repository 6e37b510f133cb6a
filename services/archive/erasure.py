"""Erasing a case's personal data: destroy its key, its attachments, and say so.

The log never changes; destroying the case's data key makes every personal field of every
event of the case unreadable, in every service, for good. Attachments are deleted from the
object store (they were encrypted with the same key). ``PersonalDataErased`` then tells
every service to drop the decrypted copies it holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import structlog
from nats.js.errors import NotFoundError

from contracts.events.archive import PersonalDataErased
from runtime.eventstore import Cause
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.archive.aggregates import erasure_ref

log = structlog.get_logger(__name__)


class CaseUnknown(LookupError):
    """Archive has never seen this case."""


async def erase_case(runtime: Runtime, case_id: UUID, reason: str, actor: str) -> bool:
    """Erase a case's personal data; returns False if it had been erased before."""
    tenant = await runtime.pool.fetchval(
        "SELECT tenant FROM rm_case_records.case_status WHERE case_id = $1", case_id
    )
    if tenant is None:
        raise CaseUnknown(str(case_id))
    key_id = str(case_id)
    await runtime.keys.destroy(key_id)
    removed = await _delete_attachments(runtime, key_id)
    events = await runtime.store.decide_and_append(
        erasure_ref(tenant, case_id),
        lambda history: (
            []
            if history
            else [
                PersonalDataErased(
                    data_key=key_id, case_id=case_id, reason=reason, erased_at=datetime.now(UTC)
                )
            ]
        ),
        commit_id=derived_id(case_id, "erase"),
        cause=Cause(actor=actor, correlation_id=new_id()),
    )
    log.info(
        "personal data erased", case_id=str(case_id), attachments=removed, first_time=bool(events)
    )
    return bool(events)


async def _delete_attachments(runtime: Runtime, key_id: str) -> int:
    """Delete every object stored under the case's prefix."""
    try:
        objects = await runtime.attachments.list(ignore_deletes=True)
    except NotFoundError:
        return 0
    names = [info.name for info in objects if info.name and info.name.startswith(f"{key_id}/")]
    for name in names:
        await runtime.attachments.delete(name)
    return len(names)
