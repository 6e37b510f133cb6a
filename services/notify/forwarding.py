"""Forwarding trade registrations to the authorities: the transport, and the recipients.

**Transport.** A ``Forwarder`` turns one XGewerbeanzeige for one body into what the outbox
queues. The embedded default is ``EmailForwarder``: a short German cover mail with the message
attached as ``application/xml``, delivered by the senders like every other mail (lease, retry,
``MessageDelivered``/``MessageDeliveryFailed`` with template ``xgewerbeanzeige.<kind>``). XTA
2 / OSCI, the transport the standard names, is another ``Forwarder`` with a channel of its own
and a sender for that channel; the reaction (``projections.forwarding``) does not change.

**Recipients.** Each town's member file names them (``[notify.forwarding.<kind>]``, see
``domain.forwarding``). At start-up notify compares them with the ones recorded
(``rm_outbox.forwarding``) and records a change together with ``notify.ForwardingConfigured``
through the outbox, in one transaction, before its reactions run — as archive adopts its
filing plans. A broken section is logged with its mistake, and the town keeps what it had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

import structlog

from contracts.events.notify import ForwardingConfigured, ForwardingRecipient
from contracts.naming import Service
from runtime import outbox
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import derived_id, new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.notify.domain.forwarding import (
    ForwardingConfigInvalid,
    Recipient,
    cover,
    filename,
    from_member_file,
)
from services.notify.domain.templates import Letterhead
from services.notify.projections.queueing import Outgoing

log = structlog.get_logger(__name__)

XML = "application/xml"


@dataclass(frozen=True)
class Forwarding:
    """One registration's message for one body."""

    message_id: UUID
    tenant: str
    town: str
    """The competent town (whose letterhead and name the message carries)."""
    letterhead: Letterhead
    recipient: Recipient
    case_id: UUID
    case_number: str | None
    submitted_at: datetime
    data_key: str | None
    correlation_id: UUID | None
    xml: bytes


class Forwarder(Protocol):
    """How a forwarded XGewerbeanzeige travels (e-mail now; XTA/OSCI later)."""

    channel: str

    def outgoing(self, forwarding: Forwarding) -> Outgoing:
        """What the outbox queues for it."""
        ...


class EmailForwarder:
    """The message as an ``application/xml`` attachment of a short German cover mail."""

    channel = "email"

    def outgoing(self, forwarding: Forwarding) -> Outgoing:
        """A mail to the body's office address."""
        f = forwarding
        return Outgoing(
            message_id=f.message_id,
            tenant=f.tenant,
            case_id=f.case_id,
            data_key=f.data_key,
            correlation_id=f.correlation_id,
            template=f.recipient.template,
            recipient=f.recipient.email,
            message=cover(
                f.letterhead,
                f.recipient,
                case_number=f.case_number,
                case_id=f.case_id,
                submitted_at=f.submitted_at,
            ),
            letterhead_town=f.town,
            payload=(filename(f.case_number, f.case_id), XML, f.xml),
        )


FORWARDER: Forwarder = EmailForwarder()
"""The transport in use."""


def forwarding_ref(town: str) -> AggregateRef:
    """Where a town's forwarding configurations live."""
    return AggregateRef(Service.NOTIFY, town, "forwarding", town)


async def adopt_forwarding(runtime: Runtime) -> None:
    """Record every town's recipients that differ from the ones recorded."""
    cause = Cause(actor="system:configuration", correlation_id=new_id())
    for member in read_member_files(runtime.settings.members_dir):
        town = member["town"]["ags"]
        try:
            wanted = from_member_file(member.get("notify", {}).get("forwarding", {}))
        except ForwardingConfigInvalid as exc:
            log.error("member file has invalid forwarding recipients", town=town, error=str(exc))
            continue
        async with runtime.pool.acquire() as conn, conn.transaction():
            recorded = await conn.fetchval(
                "SELECT recipients FROM rm_outbox.forwarding WHERE town = $1 FOR UPDATE", town
            )
            if recorded == wanted:
                continue
            at = datetime.now(UTC)
            await conn.execute(
                "INSERT INTO rm_outbox.forwarding VALUES ($1, $2, $3) ON CONFLICT (town)"
                " DO UPDATE SET recipients = $2, configured_at = $3",
                town,
                wanted,
                at,
            )
            await outbox.record(
                conn,
                forwarding_ref(town),
                [
                    ForwardingConfigured(
                        town=town,
                        recipients={k: ForwardingRecipient(**v) for k, v in wanted.items()},
                        configured_at=at,
                    )
                ],
                commit_id=derived_id(town, "forwarding", at.isoformat()),
                cause=cause,
            )
        log.info("forwarding recipients configured", town=town, kinds=sorted(wanted))
