"""The keeper's dog-tax notice by mail: billing's ``DogTaxNoticeIssued``, the PDF attached.

A dog-tax claim is no case: the keeper is whom the first registration of their dogs names
(``registration_id``, an application notify knows from intake's log, ``contacts``). The mail
goes to that application's contact, once per event (the message id is derived from it), on
the town's letterhead with the office of dog registrations. An event that arrives before its
registration's application waits (``waiting``, keyed by the registration) like a case's
messages and is replayed when the application arrives; a registration without an address
(erased) gets nothing.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.billing import DogTaxNoticeIssued
from contracts.procedures import ProcedureId
from runtime.codec import Envelope
from runtime.ids import derived_id
from services.notify.domain.tax_templates import TaxPayment, dog_tax_notice
from services.notify.projections.queueing import Outgoing, letterhead, queue

TEMPLATE = "dog_tax_notice"


async def notice_issued(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: DogTaxNoticeIssued
) -> None:
    """Queue the notice's mail to the keeper (or let it wait for the registration)."""
    meta = envelope.meta
    keeper = await conn.fetchrow(
        "SELECT name, email, data_key FROM contacts WHERE case_id = $1", event.registration_id
    )
    if keeper is None:
        await conn.execute(
            "INSERT INTO waiting VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            meta.event_id,
            event.registration_id,
            meta.data_key,
            envelope.commit,
        )
        return
    if keeper["email"] is None:
        return
    town = await letterhead(conn, meta.tenant, ProcedureId.HUNDESTEUER_ANMELDUNG.value)
    message = dog_tax_notice(
        town,
        name=keeper["name"],
        year=event.year,
        filename=event.document.filename,
        payment=TaxPayment(
            amount=event.amount,
            instalments=tuple((each.due, each.amount) for each in event.instalments),
            cash_reference=event.cash_reference,
            payee=event.payee,
            iban=event.iban,
            bic=event.bic,
            mandate_reference=event.mandate_reference if event.direct_debit else None,
        ),
    )
    await queue(
        conn,
        Outgoing(
            message_id=derived_id(meta.event_id, TEMPLATE),
            tenant=meta.tenant,
            case_id=event.registration_id,
            data_key=keeper["data_key"],
            correlation_id=meta.correlation_id,
            template=TEMPLATE,
            recipient=keeper["email"],
            message=message,
            letterhead_town=meta.tenant,
            attachments=[event.document.model_dump(mode="json")],
        ),
    )
