"""Reaction: an amended fee (``FeeAmended``) gets a new notice that replaces the old one.

The new Gebührenbescheid is the case's notice made again (``fee_notices`` keeps what it needs —
the case, its decision, the application sealed as stored, the town — and this reaction reads
it there) with the amended amount as one line, the amendment's due date, and a paragraph that
says which notice it replaces (its day, the Kassenzeichen, which stays) and why. It is stored
sealed with the case's key under ``<data key>/gebuehrenbescheid-<case id>-<n>.pdf`` (n: the
correction's number) and announced by ``FeeNoticeIssued`` with ``replaces_notice_of``, so
notify mails it like the first; the commit id is derived from the amendment's event id and
the amendment is recorded here (``amended``) in the same transaction: a redelivered
amendment issues nothing twice. A claim that is no case's (the dog tax) or whose data was
erased gets no new notice (``skipped``, logged).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import asyncpg
import structlog

from contracts.base import DomainEvent
from contracts.events.billing import FeeAmended, FeeAssessed, FeeNoticeIssued
from contracts.events.casework import DocumentRef
from contracts.naming import Service
from runtime import documents, outbox
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from runtime.worker import Job
from services.billing.aggregates import fee_ref
from services.billing.notices.assembly import Decision, addressee, fee_notice, letterhead
from services.billing.notices.notice import FeeNotice
from services.billing.projections.dog_tax_notices import open_application
from services.billing.stored_records import town_account

log = structlog.get_logger(__name__)

RENDER: Job[FeeNotice, bytes] = Job("services.billing.notices.pdf:render")

DDL = """
CREATE TABLE amended (
    event_id    uuid PRIMARY KEY,
    case_id     uuid NOT NULL,
    number      integer NOT NULL,
    status      text NOT NULL,
    object_name text,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
"""

CASE = """
SELECT n.assessed, c.case_number, d.decided_at, d.on_behalf_of, d.clerk_name,
       a.event_id AS application_event_id, a.commit AS application_commit, a.data_key,
       t.profile, t.offices, ct.profile AS clerk_profile
FROM rm_fee_notices.notices n
JOIN rm_fee_notices.cases c USING (case_id)
JOIN rm_fee_notices.decisions d USING (case_id)
JOIN rm_fee_notices.applications a ON a.application_id = coalesce(c.objection_to, c.application_id)
JOIN rm_fee_notices.towns t ON t.ags = d.on_behalf_of
LEFT JOIN rm_fee_notices.towns ct ON ct.ags = d.clerk_town
WHERE n.case_id = $1
"""
"""What the first notice was made from (no row: the claim is no case's, or it is not here)."""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        if isinstance(envelope.event, FeeAmended):
            await issue(runtime, conn, envelope, envelope.event)

    sources = (Service.BILLING,)
    return Projection(
        name="amended-notices",
        owner=Service.BILLING,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=frozenset({FeeAmended.type_name}),
        handle=handle,
        migrations=(DDL,),
        rebuildable=False,
        opens_personal_data=False,  # reads no personal field of what it is given
    )


async def issue(
    runtime: Runtime, conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: FeeAmended
) -> None:
    """Render, store and announce the amended notice, once per amendment."""
    event_id = envelope.meta.event_id
    if await conn.fetchval("SELECT true FROM amended WHERE event_id = $1", event_id):
        return
    row = await conn.fetchrow(CASE, event.case_id)
    key = await runtime.keys.get(row["data_key"]) if row else None
    applicant = (
        await open_application(runtime, row["application_event_id"], row["application_commit"])
        if row and key
        else None
    )
    to = addressee(applicant) if applicant else None
    account = await town_account(runtime, envelope.meta.tenant)
    if row is None or key is None or to is None or account is None:
        await _record(conn, event_id, event, "skipped", None)
        log.warning("no amended fee notice: no case, erased, or no account", case=event.case_id)
        return
    first = FeeAssessed.model_validate(row["assessed"])
    issued_at = datetime.now(UTC)
    amended = first.model_copy(
        update={"amount": event.amount, "lines": [], "due_date": event.due_date}
    )
    notice = fee_notice(
        amended,
        town=letterhead(row["profile"], row["offices"].get(first.procedure), account),
        to=to,
        case_number=row["case_number"] or str(event.case_id),
        decision=Decision(
            decided_at=row["decided_at"],
            clerk_name=row["clerk_name"],
            clerk_town_name=row["clerk_profile"]["official_name"] if row["clerk_profile"] else None,
        ),
        issued_at=issued_at,
    )
    notice = replace(
        notice,
        replaces=event.cash_reference,
        replaces_dated=event.replaces_notice_of,
        reason=event.reason,
    )
    content = await runtime.worker(RENDER, notice)
    filename = f"gebuehrenbescheid-{event.case_id}-{event.number}.pdf"
    name = documents.object_name(row["data_key"], filename)
    stored = await documents.store_once(runtime.attachments, name, content, key)
    issued = FeeNoticeIssued(
        case_id=event.case_id,
        procedure=first.procedure,
        document=DocumentRef(
            object_name=name,
            filename=filename,
            content_type="application/pdf",
            size=stored.size,
            sha256=stored.sha256,
        ),
        cash_reference=event.cash_reference,
        amount=event.amount,
        due_date=event.due_date,
        payee=account.holder,
        iban=account.iban,
        bic=account.bic,
        issued_at=issued_at,
        replaces_notice_of=event.replaces_notice_of,
    )
    await outbox.record(
        conn,
        fee_ref(envelope.meta.tenant, event.case_id),
        [issued],
        commit_id=derived_id(event_id, "amended-fee-notice"),
        cause=Cause(
            actor="system:billing.notices",
            correlation_id=envelope.meta.correlation_id,
            causation_id=event_id,
        ),
        data_key=row["data_key"],
    )
    await _record(conn, event_id, event, "issued", name)


async def _record(
    conn: asyncpg.Connection, event_id: object, event: FeeAmended, status: str, name: str | None
) -> None:
    await conn.execute(
        "INSERT INTO amended (event_id, case_id, number, status, object_name)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        event_id,
        event.case_id,
        event.number,
        status,
        name,
    )
