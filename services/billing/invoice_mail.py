"""E-invoices by mail: billing's own SMTP port for the towns' invoice addresses.

Suppliers send XRechnungen to a town's invoice address (``[billing.einvoices]
invoice_address`` in its member file, e.g. ``e-rechnung@wurzen.rathauscloud.example``); the
installation's mail exchanger relays them to this port (``BILLING_INVOICE_SMTP_PORT``, bound
to ``BILLING_INVOICE_SMTP_HOST``, 127.0.0.1 by default). A recipient that is no town's invoice
address is refused at RCPT (550), so nothing else is ever taken in. Each XML or PDF attachment
of a mail goes through the same pipeline as an upload (``einvoices.receiving``); the town of the
address and the Leitweg-ID should agree, and where they do not, the invoice goes by the
Leitweg-ID and the event says so. The mail is answered 250 only after every attachment is
recorded (451 if PostgreSQL or NATS is away, so the sender's server tries again later).

A mailbox at a provider is fetched by IMAP instead (``invoice_imap``), into the same pipeline.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Iterator
from contextlib import suppress
from email.message import EmailMessage
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.service import Runtime
from services.billing.einvoices.receiving import MAX_BYTES, InputRefused, receive, towns_of
from services.billing.einvoices.routing import town_of_address
from services.billing.settings import BillingSettings

log = structlog.get_logger(__name__)

INVOICE_TYPES = frozenset({"application/xml", "text/xml", "application/pdf"})
MAIL_LIMIT = MAX_BYTES * 2
"""A mail may carry an invoice and its PDF; base64 adds a third (aiosmtpd counts the raw mail)."""


def invoice_attachments(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """The (filename, bytes) of each part that is an XML or a PDF, by type or by name (pure)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename() or ""
        if part.get_content_type() in INVOICE_TYPES or filename.lower().endswith((".xml", ".pdf")):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                yield filename, payload


class InvoiceMailHandler:
    """aiosmtpd's hooks: take mail only for invoice addresses, pass each invoice on."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if town_of_address(address, towns_of(self._runtime)) is None:
            return "550 5.1.1 Unter dieser Adresse werden keine Rechnungen empfangen"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        mailed_to = envelope.rcpt_tos[0].strip().lower()
        found = 0
        try:
            for filename, document in invoice_attachments(raw):
                found += 1
                await self._one(document, filename, mailed_to)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("invoice mail deferred: infrastructure unavailable", error=str(exc))
            return "451 4.3.0 Vorübergehend nicht möglich, bitte später erneut senden"
        if not found:
            log.info("invoice mail without an XML or PDF", mailed_to=mailed_to)
        return "250 OK"

    async def _one(self, document: bytes, filename: str, mailed_to: str) -> None:
        await receive_attachment(self._runtime, document, filename, mailed_to)


async def receive_attachment(
    runtime: Runtime, document: bytes, filename: str, mailed_to: str | None
) -> None:
    """One mailed document through the pipeline; refused input is logged, outages raise."""
    try:
        outcome = await receive(runtime, document, channel="email", mailed_to=mailed_to)
    except InputRefused as refused:
        log.info("mailed invoice refused", file=filename, status=refused.status)
        return
    log.info(
        "mailed invoice",
        invoice_id=str(outcome.invoice_id),
        accepted=outcome.accepted,
        town=outcome.town.ags if outcome.town else None,
    )


async def run_invoice_mail(runtime: Runtime) -> None:
    """Background job: listen on the invoice port until the service stops (0: not at all)."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    if not settings.invoice_smtp_port:
        return
    loop = asyncio.get_running_loop()
    handler = InvoiceMailHandler(runtime)

    def protocol() -> SMTP:
        return SMTP(handler, data_size_limit=MAIL_LIMIT, enable_SMTPUTF8=True)

    try:
        server = await loop.create_server(
            protocol, host=settings.invoice_smtp_host, port=settings.invoice_smtp_port
        )
    except OSError as exc:
        # A taken port must not take billing down with it: invoices still come by API.
        log.error(
            "invoice mail port unavailable: no e-invoices by mail",
            port=settings.invoice_smtp_port,
            error=str(exc),
        )
        return
    log.info("receiving e-invoices by mail", port=settings.invoice_smtp_port)
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
        with suppress(Exception):
            await server.wait_closed()
