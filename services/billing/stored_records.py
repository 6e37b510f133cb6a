"""What billing reads back to write a document: an application kept sealed, a town's account.

Billing's reactions keep an application's commit as it was stored, sealed (they are handed it
without opening personal fields), and open it with the case's key only when a notice, a
register entry or a direct debit needs the form. The account a town's fees are paid to is the
one its latest adopted schedule names.
"""

from __future__ import annotations

from uuid import UUID

from contracts.events.billing import FeeScheduleAdopted
from contracts.events.intake import ApplicationSubmitted
from contracts.fee_schedules import TownAccount
from runtime.service import Runtime
from services.billing.aggregates import schedule_ref
from services.billing.domain.fees import current_adoption


async def opened_application(
    runtime: Runtime, event_id: UUID, commit: bytes
) -> ApplicationSubmitted:
    """The application ``event_id`` from its stored commit, personal fields opened with the key
    (``None`` once it is erased); ``LookupError`` if the commit does not hold it."""
    for envelope in await runtime.store.codec.decode(commit):
        if envelope.meta.event_id == event_id:
            assert isinstance(envelope.event, ApplicationSubmitted)
            return envelope.event
    raise LookupError(f"application {event_id} is not in its commit")


async def town_account(runtime: Runtime, town: str) -> TownAccount | None:
    """The account of the town's latest adopted schedule (None: the member file names none)."""
    history = [e.event for e in (await runtime.store.load_kept(schedule_ref(town))).events]
    adopted: FeeScheduleAdopted | None = current_adoption(history)
    return adopted.account if adopted else None
