"""Erasing a case's personal data: destroy its key, its attachments, and say so.

The log never changes; destroying the case's data key makes every personal field of every
event of the case unreadable, in every service, for good. Attachments are deleted from the
object store (they were encrypted with the same key). ``PersonalDataErased`` then tells
every service to drop the decrypted copies it holds.

After each erasure, and at every start before anything else, archive applies every erasure
its stream holds after the key bucket's marker again and moves the marker
(``reapply_erasures``): a key bucket restored from a backup older than an erasure loses the
erased key again before any service reads from it — the other services wait for the marker
(``runtime.datakeys``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import structlog
from nats.js.errors import NotFoundError

from contracts.events.archive import PersonalDataErased
from contracts.events.einvoices import data_key_of
from runtime.datakeys import ErasureLog
from runtime.eventstore import Cause
from runtime.ids import derived_id, new_id
from runtime.reader import read_stream
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
    key_id = await file_key(runtime, case_id)
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
    await reapply_erasures(runtime)
    return bool(events)


async def reapply_erasures(runtime: Runtime) -> int:
    """Apply every erasure after the key bucket's marker again, then move the marker.

    Destroying is idempotent (a destroyed key keeps its tombstone), so applying an erasure a
    second time changes nothing; after a restore of the bucket it destroys the key again.
    Returns how many erasures were applied.
    """
    erasures = ErasureLog.of(runtime.ns)
    last = await erasures.last_seq(runtime.js)
    applied = (await runtime.keys.erasures_applied())[0] if last else 0
    if applied >= last:
        return 0
    count = 0
    messages = read_stream(
        runtime.js, erasures.stream, start_seq=applied + 1, stop_seq=last, subject=erasures.subjects
    )
    async for msg in messages:
        for envelope in await runtime.store.codec.decode(msg.data, open_personal=False):
            if isinstance(envelope.event, PersonalDataErased):
                await runtime.keys.destroy(envelope.event.data_key)
                await _delete_attachments(runtime, envelope.event.data_key)
                count += 1
    await runtime.keys.mark_erasures_applied(last)
    if count and applied:
        log.warning("erasures applied again to the key bucket", count=count, after_seq=applied)
    return count


async def file_key(runtime: Runtime, case_id: UUID) -> str:
    """The data key a filed case's personal data and documents are sealed with: the case id,
    or for an incoming invoice's file (a case of its own) the invoice's key, ``einvoice.<id>``."""
    invoice = await runtime.pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM rm_case_records.invoice_status WHERE invoice_id = $1)",
        case_id,
    )
    return data_key_of(case_id) if invoice else str(case_id)


async def stored_names(runtime: Runtime, key_id: str) -> list[str]:
    """The names of every object stored under a data key (``runtime.documents.object_name``)."""
    try:
        objects = await runtime.attachments.list(ignore_deletes=True)
    except NotFoundError:
        return []
    return sorted(o.name for o in objects if o.name and o.name.startswith(f"{key_id}/"))


async def _delete_attachments(runtime: Runtime, key_id: str) -> int:
    """Delete every object stored under the case's key."""
    names = await stored_names(runtime, key_id)
    for name in names:
        await runtime.attachments.delete(name)
    return len(names)
