"""Background senders: deliver due messages over SMTP, record the outcome, announce it.

Each sender keeps one SMTP connection and claims one due message at a time with
``FOR UPDATE SKIP LOCKED``, so replicas and parallel senders never send the same message
twice at once. The outcome — delivered, or failed with the next attempt — is committed in
the same transaction as the claim, together with the event that announces it, which the
runtime's outbox publishes whenever NATS is there (``runtime.outbox``). So a sender never
talks to NATS: an outage delays the announcement and can never make it send again.

The one window left: a crash between the mail server's acceptance and that commit sends the
message again on restart, with the same Message-ID header so mail clients show it once.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

import aiosmtplib
import asyncpg
import structlog

from contracts.events.notify import MessageDelivered, MessageDeliveryFailed
from contracts.naming import Service
from runtime import outbox
from runtime.database import connect
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import derived_id
from runtime.service import Runtime
from runtime.telemetry import consuming_span
from services.notify.domain.delivery import next_attempt
from services.notify.projections.outbox import CHANNEL
from services.notify.settings import NotifySettings

log = structlog.get_logger(__name__)

CLAIM = """
SELECT o.*, t.profile FROM rm_outbox.outbox o LEFT JOIN rm_outbox.towns t ON t.ags = o.tenant
WHERE o.status = 'pending' AND o.next_attempt_at <= now()
ORDER BY o.next_attempt_at LIMIT 1 FOR UPDATE OF o SKIP LOCKED
"""


def message_ref(tenant: str, message_id: object) -> AggregateRef:
    """Where one message's delivery record lives."""
    return AggregateRef(Service.NOTIFY, tenant, "message", str(message_id))


def compose(row: Any, settings: NotifySettings) -> EmailMessage:
    """The e-mail for an outbox row, from the town's own address."""
    mail = EmailMessage()
    profile = row["profile"] or {}
    town = profile.get("official_name", "RathausCloud")
    mail["From"] = formataddr((town, f"noreply@{settings.sender_domain}"))
    if profile.get("email"):
        mail["Reply-To"] = profile["email"]
    mail["To"] = row["recipient"]
    mail["Subject"] = row["subject"]
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = f"<{row['message_id']}@{settings.sender_domain}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(row["body"])
    return mail


def is_permanent(error: Exception) -> bool:
    """A 5xx answer will not get better by trying again."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(e.code >= 500 for e in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


def describe(error: Exception) -> str:
    """What went wrong, for the log and the event, without personal data.

    SMTP replies and the email package's errors quote the recipient's address; the event
    log keeps what it is given forever, so only the kind of error and the SMTP code go in.
    """
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = sorted({refused.code for refused in error.recipients})
        return f"SMTPRecipientsRefused: SMTP {', '.join(str(code) for code in codes)}"
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{type(error).__name__}: SMTP {error.code}"
    if isinstance(error, OSError | TimeoutError | aiosmtplib.SMTPException):
        return f"{type(error).__name__}: {error}"[:500]  # the connection: host and port
    return type(error).__name__


class Sender:
    """One SMTP connection delivering outbox messages."""

    def __init__(self, runtime: Runtime, settings: NotifySettings, wake: asyncio.Event) -> None:
        self._runtime = runtime
        self._settings = settings
        self._wake = wake
        self._smtp: aiosmtplib.SMTP | None = None

    async def run(self) -> None:
        """Deliver while there is something due; sleep until woken or the next poll."""
        while True:
            self._wake.clear()  # before looking, so that no wake-up can slip through
            while await self.deliver_one():
                pass
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)

    async def deliver_one(self) -> bool:
        """Claim and deliver one due message; returns whether there was one."""
        async with self._runtime.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(CLAIM)
            if row is None:
                return False
            attempts = row["attempts"] + 1
            carrier = {"traceparent": row["traceparent"]} if row["traceparent"] else None
            with (
                consuming_span(f"send {row['template']}", carrier),
                structlog.contextvars.bound_contextvars(
                    tenant=row["tenant"], correlation_id=str(row["correlation_id"])
                ),
            ):
                try:
                    mail = compose(row, self._settings)
                except Exception as exc:
                    # E.g. an address the email package cannot parse. A message that cannot be
                    # put together will not improve: fail it for good rather than let it stop
                    # every sender, again and again.
                    await self._failed(conn, row, attempts, exc, permanent=True)
                    return True
                try:
                    await self._send(mail)
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                    await self._failed(conn, row, attempts, exc)
                else:
                    await self._delivered(conn, row, attempts)
            return True

    async def _send(self, mail: EmailMessage) -> None:
        settings = self._settings
        if self._smtp is None or not self._smtp.is_connected:
            self._smtp = aiosmtplib.SMTP(
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                start_tls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_seconds,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
            )
            await self._smtp.connect()
        try:
            await self._smtp.send_message(mail)
        except (aiosmtplib.SMTPServerDisconnected, OSError):
            self._smtp = None
            raise

    async def _delivered(self, conn: asyncpg.Connection, row: Any, attempts: int) -> None:
        now = datetime.now(UTC)
        delivered = MessageDelivered(
            message_id=row["message_id"],
            case_id=row["case_id"],
            template=row["template"],
            channel="email",
            recipient=row["recipient"],
            attempts=attempts,
            delivered_at=now,
        )
        await outbox.record(
            conn,
            message_ref(row["tenant"], row["message_id"]),
            [delivered],
            commit_id=derived_id(row["message_id"], "delivered"),
            cause=self._cause(row),
            data_key=row["data_key"],
            # A first attempt is the message's first event; after failures, ask the stream.
            expected_seq=0 if attempts == 1 else None,
        )
        await conn.execute(
            "UPDATE rm_outbox.outbox SET status = 'delivered', attempts = $2, delivered_at = $3,"
            " recipient = NULL, subject = NULL, body = NULL, last_error = NULL"
            " WHERE message_id = $1",
            row["message_id"],
            attempts,
            now,
        )
        log.info("message delivered", message_id=str(row["message_id"]), attempts=attempts)

    async def _failed(
        self,
        conn: asyncpg.Connection,
        row: Any,
        attempts: int,
        error: Exception,
        *,
        permanent: bool = False,
    ) -> None:
        settings, now = self._settings, datetime.now(UTC)
        retry_at = next_attempt(
            now,
            attempts,
            settings.max_attempts,
            settings.retry_base_seconds,
            settings.retry_max_seconds,
            permanent or is_permanent(error),
        )
        text = describe(error)
        await outbox.record(
            conn,
            message_ref(row["tenant"], row["message_id"]),
            [
                MessageDeliveryFailed(
                    message_id=row["message_id"],
                    case_id=row["case_id"],
                    template=row["template"],
                    attempts=attempts,
                    error=text,
                    final=retry_at is None,
                    next_attempt_at=retry_at,
                    failed_at=now,
                )
            ],
            expected_seq=0 if attempts == 1 else None,
            commit_id=derived_id(row["message_id"], "failed", attempts),
            cause=self._cause(row),
        )
        await conn.execute(
            "UPDATE rm_outbox.outbox SET attempts = $2, last_error = $3,"
            " status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,"
            " next_attempt_at = coalesce($4, next_attempt_at) WHERE message_id = $1",
            row["message_id"],
            attempts,
            text,
            retry_at,
        )
        log.warning(
            "message delivery failed",
            message_id=str(row["message_id"]),
            attempts=attempts,
            error=text,
            final=retry_at is None,
        )

    @staticmethod
    def _cause(row: Any) -> Cause:
        return Cause(
            actor="system:notify", correlation_id=row["correlation_id"] or row["message_id"]
        )

async def run_senders(runtime: Runtime) -> None:
    """Background job: the senders, woken by the outbox's NOTIFY."""
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    wakes = [asyncio.Event() for _ in range(settings.senders)]

    def wake_all(*_: object) -> None:
        for wake in wakes:
            wake.set()

    listener = await connect(settings.database_url)
    await listener.add_listener(CHANNEL, wake_all)
    try:
        await asyncio.gather(*(Sender(runtime, settings, wake).run() for wake in wakes))
    finally:
        await listener.close()
