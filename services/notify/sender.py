"""Background senders: deliver due messages over SMTP, record the outcome, announce it.

Each sender keeps one SMTP connection. It claims one due message at a time: a short
transaction (``FOR UPDATE SKIP LOCKED``) gives it a lease of its own, so no
other sender — of this process or a replica — touches it while the lease lasts. Then it sends,
holding no database connection, and records the outcome — delivered, or failed with the next
attempt — together with the event that announces it, which the runtime's outbox publishes
whenever NATS is there (``runtime.outbox``). So:

* a sender never announces through NATS: a NATS outage delays the announcement, never
  repeats a mail. It reads from NATS before it sends: whether the case's data key still
  exists (a mail must never go out after an erasure, and the erasure event may still be on its
  way here while the key is gone — a destroyed key drops the message), and a message's
  attachment (a decision letter in the object store). An outage postpones the message a few
  seconds (no attempt counted) or fails the attempt, before anything went out;
* a PostgreSQL outage after the mail server accepted a mail does not repeat it either: the
  sender keeps the outcome in memory and records it once the database is back (the lease
  keeps everybody else away meanwhile). Lease and outcome are committed durably whatever the
  server's ``synchronous_commit`` (a crash must not take back either of them).

The one window left is the sender's own crash between the mail server's acceptance and that
record: the lease expires and the message goes out again, with the same Message-ID header
so mail clients show it once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import aiosmtplib
import asyncpg
import structlog
from nats.js.errors import NotFoundError

from contracts.events.notify import MessageDelivered, MessageDeliveryFailed
from contracts.naming import Service
from runtime import outbox
from runtime.database import connect, lock_key
from runtime.errors import describe_error
from runtime.eventstore import AggregateRef, Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from runtime.telemetry import consuming_span
from runtime.worker import Job
from services.notify.attachments import open_attachments
from services.notify.composing import COMPOSE, Outgoing, Request, outgoing
from services.notify.domain.bounces import verp_address
from services.notify.domain.delivery import DEFERRABLE, PROMPT, next_attempt
from services.notify.projections.outbox import CHANNEL
from services.notify.settings import NotifySettings

log = structlog.get_logger(__name__)

COMPOSE_JOB: Job[Request, Outgoing] = Job(COMPOSE)

ON_DISK = "set_config('synchronous_commit', 'on', true) = 'on'"
"""An outcome's condition that puts it on disk before the lease is given up: one a database
crash took back would leave the message due again (or leased, until the lease ends), and a
mail the server accepted would go out once more. Part of the outcome's UPDATE, which records
nothing unless every condition held, rather than a statement (a round trip) of its own."""

CLAIM = """
WITH present AS (
    SELECT NOT pg_try_advisory_xact_lock($2)
           AND set_config('synchronous_commit', 'on', true) = 'on' AS yes),
due AS (
    SELECT o.message_id FROM rm_outbox.outbox o, present
    WHERE present.yes AND o.status = 'pending' AND o.next_attempt_at <= now()
      AND (o.lease_until IS NULL
           OR o.lease_until < now()
           OR (o.leased_at > pg_postmaster_start_time()
               AND pg_try_advisory_xact_lock(o.lease_holder)))
      AND o.priority <= $4
    ORDER BY o.priority, o.next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
UPDATE rm_outbox.outbox m SET lease_token = $1, lease_holder = $2,
    leased_at = clock_timestamp(), lease_until = now() + make_interval(secs => $3)
FROM due WHERE m.message_id = due.message_id
RETURNING m.*, (SELECT t.profile FROM rm_outbox.towns t
                 WHERE t.ags = coalesce(m.letterhead_town, m.tenant)) AS profile
"""
"""Lease the next due message (by priority, then due time) — or one whose sender is gone — in
one statement.

A leased message stays ``pending`` (the lease columns are not indexed, so taking a lease is a
cheap in-place update); its lease keeps every other sender away. A sender's process holds a
session lock (``Presence``) for as long as it lives; a message it leased after the database
last started, whose lock is free, was left by a dead process and is taken over at once. One
leased before the database restarted may still be on its way to its sender's memory-held
outcome, so it waits for its lease to end.

A sender leases nothing while its own process's lock is not held (``present``: taking the
lock succeeds only if nobody holds it — released again at commit). Right after a database
restart, until ``Presence`` has its lock back, every lease taken would look abandoned to the
next sender, and the message would go out once per sender that looked (seen in the chaos run:
one acknowledgement six times within 0.1 s).

A lease is on disk when the claim returns (``synchronous_commit`` on for this transaction,
whatever the server's default): the mail goes out right after it. A lease committed without
waiting for the WAL is taken back by a database crash while its sender sends; after the
restart the message was free again and another sender sent it a second time, with the same
Message-ID and no notify process killed (the chaos run's PostgreSQL commits asynchronously by
default and is killed with SIGKILL, which takes back the commits the WAL writer had not yet
written)."""


RETRY_LATER: tuple[type[Exception], ...] = (*INFRASTRUCTURE_ERRORS, NotFoundError)
"""Failures to put a message together that pass: its attachment's store is away or behind."""

ERASED = f"""
UPDATE rm_outbox.outbox SET status = 'erased', recipient = NULL, subject = NULL, body = NULL,
    html = NULL, last_error = NULL, lease_token = NULL, lease_until = NULL, payload = NULL
WHERE message_id = $1 AND lease_token = $2 AND {ON_DISK}
"""
"""Its case's key is gone: the message is dropped, as the erasure event will drop it too."""

POSTPONE = f"""
UPDATE rm_outbox.outbox SET lease_token = NULL, lease_until = NULL,
    next_attempt_at = now() + make_interval(secs => $3)
WHERE message_id = $1 AND lease_token = $2 AND {ON_DISK}
"""
"""Not known whether its case was erased (NATS away): due again a little later, no attempt."""


def message_ref(tenant: str, message_id: object) -> AggregateRef:
    """Where one message's delivery record lives."""
    return AggregateRef(Service.NOTIFY, tenant, "message", str(message_id))


def envelope_sender(message_id: UUID, settings: NotifySettings) -> str:
    """The MAIL FROM of a message: its VERP address, so that a delivery status notification
    comes back naming it (``domain.bounces``); empty without VERP (the From address)."""
    if not settings.bounce_local_part:
        return ""
    return verp_address(message_id, settings.bounce_local_part, settings.envelope_domain)


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

    def __init__(
        self,
        runtime: Runtime,
        settings: NotifySettings,
        baton: Baton,
        holder: int,
        slots: WorkerSlots | None = None,
    ) -> None:
        self._runtime = runtime
        self._settings = settings
        self._baton = baton
        self._slots = slots or WorkerSlots(1)
        self._wake = asyncio.Event()
        self._holder = holder
        self._smtp: aiosmtplib.SMTP | None = None
        self._dkim = settings.dkim_key()

    async def run(self) -> None:
        """Deliver while there is something due; sleep until woken or the next poll.

        A database outage pauses the sender (it never gives up a recorded outcome).
        """
        delay = 0.25
        while True:
            self._wake.clear()  # before looking, so that no wake-up can slip through
            try:
                while await self.deliver_one():
                    pass
                delay = 0.25
            except INFRASTRUCTURE_ERRORS as exc:
                log.warning("sender waits for the database", error=describe_error(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._baton.idle(self._wake)
            try:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)
            finally:
                self._baton.busy(self._wake)

    async def deliver_one(self) -> bool:
        """Claim and deliver one due message; returns whether there was one."""
        slot = self._slots.take()  # without one, this sender takes only a citizen's receipt
        try:
            row, token = await self._claim(slot)
            if row is None:
                return False
            self._baton.wake_one()  # there may be more: let an idle sender look, while this sends
            in_worker = slot and row["priority"] != PROMPT
            if slot and not in_worker:
                slot = False
                self._give_slot()
            await self._deliver(row, token, in_worker=in_worker)
            return True
        finally:
            if slot:
                self._give_slot()

    def _give_slot(self) -> None:
        """Give the worker slot back; a sender that found none meanwhile may have let a
        message's wake-up pass (it could take only receipts): wake one to look again."""
        if self._slots.give():
            self._baton.wake_one()

    async def _deliver(self, row: Any, token: UUID, *, in_worker: bool) -> None:
        if await self._dropped_or_postponed(row, token):
            return
        attempts = row["attempts"] + 1
        carrier = {"traceparent": row["traceparent"]} if row["traceparent"] else None
        with (
            consuming_span(f"send {row['template']}", carrier),
            structlog.contextvars.bound_contextvars(
                tenant=row["tenant"], correlation_id=str(row["correlation_id"])
            ),
        ):
            error: Exception | None = None
            permanent = False
            try:
                wire = await self._put_together(row, in_worker=in_worker)
            except RETRY_LATER as exc:
                error = exc  # the object store is away (or not yet there): try again later
            except (aiosmtplib.SMTPException, OSError, TimeoutError, BrokenProcessPool) as exc:
                error = exc  # the relay is away, or the worker died twice: try again later
            except Exception as exc:
                # E.g. an address the email package cannot parse, or an attachment that does
                # not open. A message that cannot be put together will not improve: fail it
                # for good rather than let it stop every sender, again and again.
                error, permanent = exc, True
            else:
                # Put together in the worker, perhaps a while ago: the last look at the key
                # must come right before the mail goes out.
                if in_worker and await self._dropped_or_postponed(row, token):
                    return
                try:
                    await self._send(wire)
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                    error = exc
            await self._record(row, token, attempts, error, permanent)

    async def _dropped_or_postponed(self, row: Any, token: UUID) -> bool:
        """Whether the message's case was erased (it is dropped) or NATS cannot say (it waits
        a little, without an attempt): nothing goes out until it is known."""
        try:
            if row["data_key"] and await self._runtime.keys.erased(row["data_key"]):
                await self._settle(row, token, erased=True)
                log.info("message dropped: its case was erased", message_id=str(row["message_id"]))
                return True
        except RETRY_LATER as exc:
            # The outage costs no attempt (it is no failure of this message).
            await self._settle(row, token, erased=False)
            log.info("message waits for the key bucket", error=describe_error(exc))
            return True
        return False

    async def _put_together(self, row: Any, *, in_worker: bool) -> Outgoing:
        """The message's bytes: a receipt here, anything else in the worker process."""
        smtp = await self._relay()  # first: whether the relay takes 8-bit bodies
        request = Request(
            dict(row),
            self._settings,
            tuple(await open_attachments(self._runtime, row)),
            envelope_sender(row["message_id"], self._settings),
            self._dkim,
            smtp.supports_extension("8bitmime"),
        )
        if in_worker:
            return await self._runtime.worker(COMPOSE_JOB, request)
        return outgoing(request)

    async def _claim(self, any_priority: bool = True) -> tuple[Any, UUID]:
        """The next due message, leased to this sender (committed before sending): any, or
        only a citizen's receipt."""
        token = new_id()
        row = await self._runtime.pool.fetchrow(
            CLAIM,
            token,
            self._holder,
            self._settings.lease_seconds,
            DEFERRABLE if any_priority else PROMPT,
        )
        return row, token

    async def _record(
        self, row: Any, token: UUID, attempts: int, error: Exception | None, permanent: bool
    ) -> None:
        """Record the outcome; while the database is away, keep it and try again."""
        delay = 0.25
        while True:
            try:
                async with self._runtime.pool.acquire() as conn, conn.transaction():
                    if error is None:
                        owned = await self._delivered(conn, row, token, attempts)
                    else:
                        owned = await self._failed(
                            conn, row, token, attempts, error, permanent=permanent
                        )
                if not owned:
                    log.error(
                        "lease lost before the outcome was recorded; sent twice",
                        message_id=str(row["message_id"]),
                    )
                return
            except INFRASTRUCTURE_ERRORS as exc:
                log.warning(
                    "outcome kept until the database is back",
                    message_id=str(row["message_id"]),
                    error=describe_error(exc),
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _settle(self, row: Any, token: UUID, *, erased: bool) -> None:
        """Give the lease back without an attempt: the message was erased, or must wait."""
        async with self._runtime.pool.acquire() as conn, conn.transaction():
            if erased:
                await conn.execute(ERASED, row["message_id"], token)
            else:
                await conn.execute(
                    POSTPONE, row["message_id"], token, self._settings.key_check_retry_seconds
                )

    async def _relay(self) -> aiosmtplib.SMTP:
        """This sender's SMTP connection, opened and greeted if it is not."""
        settings = self._settings
        if self._smtp is None or not self._smtp.is_connected:
            self._smtp = aiosmtplib.SMTP(
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                start_tls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_seconds,
                username=settings.smtp_username or None,
                password=settings.smtp_password.get_secret_value()
                if settings.smtp_password
                else None,
            )
        smtp = self._smtp
        try:
            if not smtp.is_connected:
                await smtp.connect()
            if smtp.is_ehlo_or_helo_needed:
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:
                    await smtp.helo()
        except (aiosmtplib.SMTPServerDisconnected, OSError):
            self._smtp = None
            raise
        return smtp

    async def _send(self, wire: Outgoing) -> None:
        smtp = await self._relay()
        if "SMTPUTF8" in wire.options and not smtp.supports_extension("smtputf8"):
            raise aiosmtplib.SMTPNotSupported("an address needs SMTPUTF8; the relay lacks it")
        try:
            await smtp.sendmail(wire.sender, wire.recipients, wire.data, mail_options=wire.options)
        except (aiosmtplib.SMTPServerDisconnected, OSError):
            self._smtp = None
            raise

    async def _delivered(
        self, conn: asyncpg.Connection, row: Any, token: UUID, attempts: int
    ) -> bool:
        """Record a delivery; False if the lease was lost meanwhile (nothing recorded)."""
        now = datetime.now(UTC)
        updated = await conn.execute(
            "UPDATE rm_outbox.outbox SET status = 'delivered', attempts = $3, delivered_at = $4,"
            " recipient = NULL, subject = NULL, body = NULL, html = NULL, last_error = NULL,"
            " lease_token = NULL, lease_until = NULL, payload = NULL"
            f" WHERE message_id = $1 AND lease_token = $2 AND {ON_DISK}",
            row["message_id"],
            token,
            attempts,
            now,
        )
        if updated != "UPDATE 1":
            return False
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
        log.info("message delivered", message_id=str(row["message_id"]), attempts=attempts)
        return True

    async def _failed(
        self,
        conn: asyncpg.Connection,
        row: Any,
        token: UUID,
        attempts: int,
        error: Exception,
        *,
        permanent: bool = False,
    ) -> bool:
        """Record a failed attempt; False if the lease was lost meanwhile (nothing recorded)."""
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
        updated = await conn.execute(
            "UPDATE rm_outbox.outbox SET attempts = $3, last_error = $4,"
            " status = CASE WHEN $5::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,"
            " next_attempt_at = coalesce($5, next_attempt_at),"
            " lease_token = NULL, lease_until = NULL"
            f" WHERE message_id = $1 AND lease_token = $2 AND {ON_DISK}",
            row["message_id"],
            token,
            attempts,
            text,
            retry_at,
        )
        if updated != "UPDATE 1":
            return False
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
        log.warning(
            "message delivery failed",
            message_id=str(row["message_id"]),
            attempts=attempts,
            error=text,
            final=retry_at is None,
        )
        return True

    @staticmethod
    def _cause(row: Any) -> Cause:
        return Cause(
            actor="system:notify", correlation_id=row["correlation_id"] or row["message_id"]
        )


class Presence:
    """This process's sign of life for the senders' leases, and the wake-up listener.

    One connection holds a session advisory lock for as long as the process lives and listens
    for the outbox's NOTIFY. When the connection is lost (the database restarted), it is
    opened again, with the lock and the listener.
    """

    def __init__(self, database_url: str, wake: Callable[[], None]) -> None:
        self.holder = lock_key(f"notify-sender:{new_id()}")
        self._url = database_url
        self._wake = wake
        self._conn: asyncpg.Connection | None = None

    async def keep(self, every: float = 2.0) -> None:
        """Hold the lock and the listener, until cancelled."""
        try:
            while True:
                try:
                    await self._ensure()
                except INFRASTRUCTURE_ERRORS as exc:
                    log.warning("sender presence waits for the database", error=describe_error(exc))
                    self._conn = None
                await asyncio.sleep(every)
        finally:
            if self._conn is not None:
                with suppress(Exception):
                    await self._conn.close(timeout=2)

    async def _ensure(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.fetchval("SELECT 1", timeout=5)
            return
        conn = await connect(self._url)
        await conn.execute("SELECT pg_advisory_lock($1)", self.holder)
        await conn.add_listener(CHANNEL, lambda *_: self._wake())
        self._conn = conn
        self._wake()  # anything recorded while we were away


class WorkerSlots:
    """How many senders may have a message put together in the worker at once: all but one.

    The worker yields to everything else, so under load a message may wait there a while; the
    sender left over takes only a citizen's receipt, which it puts together itself, and a
    receipt never waits behind the decisions and forwardings in the worker.
    """

    def __init__(self, senders: int) -> None:
        self._free = max(1, senders - 1)
        self._missed = False

    def take(self) -> bool:
        """A slot, if one is free."""
        if self._free == 0:
            self._missed = True
            return False
        self._free -= 1
        return True

    def give(self) -> bool:
        """Give a slot back; whether a sender went without one since the last give."""
        self._free += 1
        missed, self._missed = self._missed, False
        return missed


class Baton:
    """Wakes one idle sender at a time.

    A NOTIFY wakes one sender; a sender that found a message wakes the next before it sends.
    So a burst gets as many senders as it has messages, and a single message costs one look
    into the table instead of one per sender.
    """

    def __init__(self) -> None:
        self._idle: list[asyncio.Event] = []

    def idle(self, wake: asyncio.Event) -> None:
        """A sender waits for work."""
        self._idle.append(wake)

    def busy(self, wake: asyncio.Event) -> None:
        """A sender stopped waiting (woken, or its poll interval passed)."""
        with suppress(ValueError):
            self._idle.remove(wake)

    def wake_one(self) -> None:
        """Wake the sender that has waited longest, if one waits."""
        if self._idle:
            self._idle.pop(0).set()


async def run_senders(runtime: Runtime) -> None:
    """Background job: the senders, woken by the outbox's NOTIFY, one at a time."""
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    baton, slots = Baton(), WorkerSlots(settings.senders)
    presence = Presence(settings.database_url, baton.wake_one)
    await asyncio.gather(
        presence.keep(),
        *(
            Sender(runtime, settings, baton, presence.holder, slots).run()
            for _ in range(settings.senders)
        ),
    )
