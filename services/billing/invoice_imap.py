"""E-invoices from an IMAP mailbox, for towns whose invoice mail stays at a provider.

Configured by ``BILLING_INVOICE_IMAP_*`` (host empty: off). Every ``poll_seconds`` billing
logs in (IMAPS unless told otherwise), looks for unseen mails in the folder and hands each XML
or PDF attachment to the same pipeline as the SMTP port and the API
(``invoice_mail.receive_attachment``). The town is the one whose invoice address the mail was
delivered to (``Delivered-To``, ``X-Original-To``, ``To``, ``Cc``); where no header names one,
the Leitweg-ID alone routes it, as always.

A mail is marked seen only after every attachment is recorded: with PostgreSQL or NATS away it
stays unseen and is fetched again next time. A crash between the record and the mark records
the invoice once more — flagged as a duplicate of the first (same seller, number and amount),
kept as evidence, never paid twice. A mail too large to be an invoice is flagged for a person
and marked seen without being fetched. imaplib is blocking: each conversation runs in a thread.
"""

from __future__ import annotations

import asyncio
import imaplib
import re
import ssl
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import getaddresses

import structlog

from runtime.errors import describe_error
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.service import Runtime
from services.billing.einvoices.receiving import towns_of
from services.billing.einvoices.routing import town_of_address
from services.billing.invoice_mail import MAIL_LIMIT, invoice_attachments, receive_attachment
from services.billing.settings import BillingSettings

log = structlog.get_logger(__name__)

BATCH = 50
"""Mails taken per poll at most: a full mailbox is worked off over several polls."""
DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


@dataclass(frozen=True)
class Mail:
    """One unseen mail: its UID and, unless it was too large to fetch, its bytes."""

    uid: str
    raw: bytes | None


def delivered_to(raw: bytes, is_invoice_address: Callable[[str], bool]) -> str | None:
    """The first address in the delivery headers that is a town's invoice address (pure)."""
    headers = BytesHeaderParser().parsebytes(raw)
    for name in DELIVERY_HEADERS:
        for _, address in getaddresses([str(v) for v in headers.get_all(name, [])]):
            if address and is_invoice_address(address):
                return address.strip().lower()
    return None


class Mailbox:
    """The blocking IMAP conversation (called through ``asyncio.to_thread``)."""

    def __init__(self, settings: BillingSettings) -> None:
        self._settings = settings

    def _open(self) -> imaplib.IMAP4:
        settings = self._settings
        if settings.invoice_imap_tls:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                settings.invoice_imap_host,
                settings.invoice_imap_port,
                ssl_context=ssl.create_default_context(),
                timeout=30,
            )
        else:
            client = imaplib.IMAP4(
                settings.invoice_imap_host, settings.invoice_imap_port, timeout=30
            )
        password = settings.invoice_imap_password
        client.login(
            settings.invoice_imap_username, password.get_secret_value() if password else ""
        )
        status, _ = client.select(_quoted(settings.invoice_imap_folder))
        if status != "OK":
            client.logout()
            raise imaplib.IMAP4.error(f"folder {settings.invoice_imap_folder!r} not selectable")
        return client

    def unseen(self) -> list[Mail]:
        """Up to ``BATCH`` unseen mails, oldest first; too large ones without their bytes."""
        client = self._open()
        try:
            _, found = client.uid("SEARCH", "UNSEEN")
            uids = [uid.decode() for uid in (found[0] or b"").split()[:BATCH]]
            mails = []
            for uid in uids:
                _, sized = client.uid("FETCH", uid, "(RFC822.SIZE)")
                size = _size_of(sized)
                if size is None or size > MAIL_LIMIT:
                    mails.append(Mail(uid, None))
                    continue
                _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next(
                    (part[1] for part in fetched if isinstance(part, tuple) and len(part) > 1),
                    None,
                )
                mails.append(Mail(uid, raw if isinstance(raw, bytes) else None))
            return mails
        finally:
            _close(client)

    def mark(self, seen: list[str], flagged: list[str]) -> None:
        """Mark the mails taken in as seen; flag the ones left for a person as well."""
        if not seen and not flagged:
            return
        client = self._open()
        try:
            for uid in seen:
                client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen)")
            for uid in flagged:
                client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen \\Flagged)")
        finally:
            _close(client)


async def fetch_once(runtime: Runtime, mailbox: Mailbox) -> int:
    """One poll: take in every unseen mail's invoices; returns how many mails were taken."""
    mails = await asyncio.to_thread(mailbox.unseen)
    towns = towns_of(runtime)
    seen: list[str] = []
    flagged: list[str] = []
    try:
        for mail in mails:
            if mail.raw is None:
                log.warning("invoice mail too large or unreadable; flagged", uid=mail.uid)
                flagged.append(mail.uid)
                continue
            address = delivered_to(mail.raw, lambda a: town_of_address(a, towns) is not None)
            found = 0
            for filename, document in invoice_attachments(mail.raw):
                found += 1
                await receive_attachment(runtime, document, filename, address)
            if not found:
                log.info("invoice mail without an XML or PDF", uid=mail.uid)
            seen.append(mail.uid)
    finally:
        # What was recorded is marked even when a later mail hit an outage.
        await asyncio.to_thread(mailbox.mark, seen, flagged)
    return len(seen) + len(flagged)


async def run_invoice_imap(runtime: Runtime) -> None:
    """Background job: poll the configured mailbox until the service stops (none: return)."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    if not settings.invoice_imap_host:
        return
    mailbox = Mailbox(settings)
    log.info(
        "fetching e-invoices by IMAP",
        host=settings.invoice_imap_host,
        folder=settings.invoice_imap_folder,
    )
    while True:
        try:
            taken = await fetch_once(runtime, mailbox)
            if taken:
                log.info("invoice mails taken in", mails=taken)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("invoice mails wait: infrastructure unavailable", error=describe_error(exc))
        except (OSError, imaplib.IMAP4.error) as exc:
            log.warning("invoice mailbox unavailable", error=describe_error(exc))
        await asyncio.sleep(settings.invoice_imap_poll_seconds)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _size_of(response: list[object]) -> int | None:
    for item in response:
        data = item[0] if isinstance(item, tuple) else item
        if isinstance(data, bytes) and (match := SIZE.search(data)):
            return int(match.group(2) or match.group(3))
    return None


def _close(client: imaplib.IMAP4) -> None:
    with suppress(OSError, imaplib.IMAP4.error):
        client.logout()
