"""Read model of incoming e-invoices: each town's queue, and who may work on it by delegation.

``invoices`` holds every received invoice (``IncomingInvoiceReceived``) with the data a clerk
sorts and pays by: seller, number, amounts, due date, discount, the account to pay (opened
with the invoice's key; erased, it reads as nothing). A duplicate is kept with ``duplicate_of``
and left out of the queue (``einvoice_api``). Refusals are not the town's to work on and are
not projected here; their reports stay with the supplier's link.

``delegations`` follows casework's ``DelegationAgreed`` for the procedure id
``eingangsrechnung``: a town may have another (the service centre) process its invoices, and
the queue then opens to that town's clerks too. Each agreement is kept with its validity; the
one in force is the newest whose days include today.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import PersonalDataErased
from contracts.events.casework import DelegationAgreed
from contracts.events.einvoices import IncomingInvoiceReceived, data_key_of
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection

PROCEDURE = "eingangsrechnung"
"""The id invoice processing is delegated under, like a procedure's cases."""

DDL = """
CREATE TABLE invoices (
    invoice_id       uuid PRIMARY KEY,
    town             text NOT NULL,
    channel          text NOT NULL,
    received_at      timestamptz NOT NULL,
    leitweg_id       text NOT NULL,
    kind             text NOT NULL,
    syntax           text NOT NULL,
    type_code        text NOT NULL,
    invoice_number   text NOT NULL,
    issue_date       date NOT NULL,
    currency         text NOT NULL,
    order_reference  text,
    seller_name      text NOT NULL,
    seller_vat_id    text,
    buyer_name       text NOT NULL,
    tax_exclusive    numeric(14, 2) NOT NULL,
    tax_total        numeric(14, 2) NOT NULL,
    tax_inclusive    numeric(14, 2) NOT NULL,
    payable          numeric(14, 2) NOT NULL,
    due_date         date,
    discount_percent numeric(7, 4),
    discount_days    integer,
    discount_until   date,
    iban             text,
    bic              text,
    original_object  text NOT NULL,
    original_sha256  text NOT NULL,
    original_size    integer NOT NULL,
    warnings         integer NOT NULL,
    rules            text NOT NULL,
    duplicate_of     uuid,
    mailed_to        text,
    routing_note     text
);
CREATE INDEX invoices_queue ON invoices (town, received_at) WHERE duplicate_of IS NULL;
CREATE TABLE delegations (
    delegating_town  text NOT NULL,
    agreed_seq       bigint NOT NULL,
    processing_towns text[] NOT NULL,
    valid_from       date,
    valid_until      date,
    PRIMARY KEY (delegating_town, agreed_seq)
);
"""


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Record a received invoice, or an agreement on who processes a town's invoices."""
    event = envelope.event
    if isinstance(event, IncomingInvoiceReceived):
        await _received(conn, event)
    elif (
        isinstance(event, PersonalDataErased)
        and event.case_id is not None
        and event.data_key == data_key_of(event.case_id)
    ):
        # The invoice's file was destroyed (or erased): the account, opened with its key when
        # the invoice came in, goes too.
        await conn.execute(
            "UPDATE invoices SET iban = NULL, bic = NULL WHERE invoice_id = $1", event.case_id
        )
    elif isinstance(event, DelegationAgreed) and event.procedure == PROCEDURE:
        await conn.execute(
            "INSERT INTO delegations VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            event.delegating_town,
            envelope.stream_seq,
            list(event.processing_towns),
            event.valid_from,
            event.valid_until,
        )


async def _received(conn: asyncpg.Connection, event: IncomingInvoiceReceived) -> None:
    discount, account = event.discount, event.payment_account
    await conn.execute(
        "INSERT INTO invoices VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
        " $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30,"
        " $31, $32, $33) ON CONFLICT (invoice_id) DO NOTHING",
        event.invoice_id,
        event.town,
        event.channel,
        event.received_at,
        event.leitweg_id,
        event.kind,
        event.syntax,
        event.type_code,
        event.invoice_number,
        event.issue_date,
        event.currency,
        event.order_reference,
        event.seller_name,
        event.seller_vat_id,
        event.buyer_name,
        event.tax_exclusive,
        event.tax_total,
        event.tax_inclusive,
        event.payable,
        event.due_date,
        discount.percent if discount else None,
        discount.days if discount else None,
        discount.until if discount else None,
        account.iban if account else None,
        account.bic if account else None,
        event.original.object_name,
        event.original.sha256,
        event.original.size,
        len(event.findings),
        event.rules,
        event.duplicate_of,
        event.mailed_to,
        event.routing_note,
    )


PROJECTION = Projection(
    name="incoming-invoices",
    owner=Service.BILLING,
    sources=(Service.BILLING, Service.CASEWORK, Service.ARCHIVE),
    lingering=frozenset({Service.BILLING, Service.CASEWORK, Service.ARCHIVE}),  # a clerk's queue
    event_types=frozenset(
        {
            IncomingInvoiceReceived.type_name,
            DelegationAgreed.type_name,
            PersonalDataErased.type_name,
        }
    ),
    handle=apply,
    migrations=(DDL,),
)
