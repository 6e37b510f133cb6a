"""Bounces: notify's own SMTP port for the delivery status notifications that come back.

Every mail goes out with a VERP envelope sender (``bounce+<message id>@<sender domain>``,
``sender.envelope_sender``); the installation's mail exchanger relays mail for that domain to
this port (``NOTIFY_BOUNCE_SMTP_PORT``, bound to ``NOTIFY_BOUNCE_SMTP_HOST``, 127.0.0.1 by
default). A recipient at another domain is refused at RCPT (550), so nothing else is taken
in. Each DSN (RFC 3464, ``domain.bounces``) is matched to its message by the address it came
to, else by the Message-ID it returns, and applied once:

* ``Action: failed`` → ``notify.MessageBounced``, the outbox row ``bounced``;
* ``Action: delayed`` → ``notify.MessageDeferred``, a delivered row ``deferred``.

The event and the row change are one transaction with the report's key (``reports``), so the
same DSN twice — a relay's retry — yields one event. A mail that is no DSN, a report of
success, or one for a message notify does not know (or whose case was erased) is logged with
the reason and dropped; it is still answered 250, so the relay does not bounce the bounce.
The mail is answered 451 while PostgreSQL or NATS is away (the relay tries again later).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session
from nats.js.errors import NotFoundError

from contracts.events.notify import MessageBounced, MessageDeferred
from runtime import outbox
from runtime.eventstore import Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import derived_id
from runtime.service import Runtime
from services.notify.domain.bounces import (
    DeliveryReport,
    NotADeliveryReport,
    RecipientStatus,
    message_of_id,
    message_of_verp,
    parse_report,
    without_addresses,
)
from services.notify.sender import message_ref
from services.notify.settings import NotifySettings

log = structlog.get_logger(__name__)

MAIL_LIMIT = 2 * 1024 * 1024
"""A DSN returns the message's headers, or the whole message with its attachments (cut)."""
RETRY_LATER: tuple[type[Exception], ...] = (*INFRASTRUCTURE_ERRORS, NotFoundError)

ROW = """
SELECT message_id, tenant, case_id, data_key, correlation_id, template, status
FROM rm_outbox.outbox WHERE message_id = $1 FOR UPDATE
"""
BOUNCED = """
UPDATE rm_outbox.outbox SET status = 'bounced', last_error = $2,
    lease_token = NULL, lease_until = NULL
WHERE message_id = $1
"""
"""Undeliverable: no more attempts, whatever the row said (a lease's late outcome aside)."""
DEFERRED = """
UPDATE rm_outbox.outbox SET status = 'deferred', last_error = $2
WHERE message_id = $1 AND status IN ('delivered', 'deferred')
"""
"""Delayed after it was handed over; a row still pending is notify's own retry and stays."""


def candidates(rcpt_tos: list[str], report: DeliveryReport, local_part: str) -> list[UUID]:
    """The messages a DSN may be about, best evidence first: its VERP address, then the
    Message-IDs it names or returns."""
    found = [message_of_verp(address, local_part) for address in rcpt_tos] if local_part else []
    found += [message_of_id(header) for header in report.original_message_ids]
    return list(dict.fromkeys(m for m in found if m is not None))


def last_error(status: RecipientStatus) -> str:
    """What operators see of the report (the outbox's ``last_error``): no addresses."""
    text = without_addresses(status.diagnostic or "")
    return f"DSN {status.action} {status.status}: {text}".strip(": ")[:500]


async def apply_report(
    runtime: Runtime, report: DeliveryReport, messages: list[UUID]
) -> tuple[UUID | None, str]:
    """Apply a DSN to the first message of ``messages`` notify knows: (the message, what was
    done). Outages raise (``RETRY_LATER``): nothing is recorded then."""
    status = report.relevant
    if status is None or status.outcome is None:
        return None, "reports no failure or delay"
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = None
        for message_id in messages:
            row = await conn.fetchrow(ROW, message_id)
            if row is not None:
                break
        if row is None:
            return None, "names no message of notify's"
        message_id = row["message_id"]
        if row["status"] == "erased" or (
            row["data_key"] and await runtime.keys.erased(row["data_key"])
        ):
            return message_id, "its case was erased"
        if status.outcome == "deferred" and row["status"] == "bounced":
            return message_id, "the message bounced already"
        seen = await conn.execute(
            "INSERT INTO rm_outbox.reports (report_key, message_id, action) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            report.report_key,
            message_id,
            status.action,
        )
        if seen == "INSERT 0 0":
            return message_id, "applied before"
        await conn.execute(
            BOUNCED if status.outcome == "bounced" else DEFERRED, message_id, last_error(status)
        )
        await outbox.record(
            conn,
            message_ref(row["tenant"], message_id),
            [report_event(row, status, datetime.now(UTC))],
            commit_id=derived_id(message_id, "report", report.report_key),
            cause=Cause(
                actor="system:notify.bounces",
                correlation_id=row["correlation_id"] or message_id,
            ),
            data_key=row["data_key"],
        )
    return message_id, status.outcome


def report_event(
    row: Any, status: RecipientStatus, now: datetime
) -> MessageBounced | MessageDeferred:
    """The event a DSN makes of an outbox row; personal fields only where a key seals them."""
    sealed = row["data_key"] is not None
    common: dict[str, Any] = {
        "message_id": row["message_id"],
        "case_id": row["case_id"],
        "template": row["template"],
        "status": status.status,
        "diagnostic": status.diagnostic if sealed else None,
        "final_recipient": status.final_recipient if sealed else None,
    }
    if status.outcome == "bounced":
        return MessageBounced(**common, bounced_at=now)
    return MessageDeferred(**common, will_retry_until=status.will_retry_until, deferred_at=now)


class BounceHandler:
    """aiosmtpd's hooks: take mail only for the envelope domain, apply each DSN."""

    def __init__(self, runtime: Runtime, settings: NotifySettings) -> None:
        self._runtime = runtime
        self._settings = settings
        self._domains = {settings.envelope_domain.lower(), settings.sender_domain.lower()}

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.rpartition("@")[2].strip(">").lower() not in self._domains:
            return "550 5.1.1 Unter dieser Adresse werden keine Nachrichten empfangen"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        try:
            report = parse_report(raw)
        except NotADeliveryReport as refused:
            log.info("mail to the bounce port dropped: no delivery status", reason=str(refused))
            return "250 OK"
        messages = candidates(envelope.rcpt_tos, report, self._settings.bounce_local_part)
        try:
            message_id, done = await apply_report(self._runtime, report, messages)
        except RETRY_LATER as exc:
            log.warning("delivery status deferred: infrastructure unavailable", error=str(exc))
            return "451 4.3.0 Vorübergehend nicht möglich, bitte später erneut senden"
        if done in ("bounced", "deferred"):
            log.info("delivery status applied", message_id=str(message_id), outcome=done)
        else:
            log.info(
                "delivery status dropped",
                message_id=str(message_id) if message_id else None,
                reason=done,
            )
        return "250 OK"


async def serve_bounces(runtime: Runtime, settings: NotifySettings) -> asyncio.Server:
    """The SMTP server on the bounce port, serving until closed (``OSError``: port taken)."""
    handler = BounceHandler(runtime, settings)

    def protocol() -> SMTP:
        return SMTP(handler, data_size_limit=MAIL_LIMIT, enable_SMTPUTF8=True)

    return await asyncio.get_running_loop().create_server(
        protocol, host=settings.bounce_smtp_host, port=settings.bounce_smtp_port
    )


async def run_bounce_mail(runtime: Runtime) -> None:
    """Background job: listen on the bounce port until the service stops (0: not at all)."""
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    if not settings.bounce_smtp_port:
        return
    try:
        server = await serve_bounces(runtime, settings)
    except OSError as exc:
        # A taken port must not take notify down with it: mail still goes out.
        log.error(
            "bounce port unavailable: no delivery status notifications",
            port=settings.bounce_smtp_port,
            error=str(exc),
        )
        return
    log.info("receiving delivery status notifications", port=settings.bounce_smtp_port)
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
        with suppress(Exception):
            await server.wait_closed()
