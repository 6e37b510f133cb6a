"""The development mail sink: an SMTP server that delivers nothing and keeps everything.

notify sends its mails here in development. Each mail is kept in memory and written as an
``.eml`` file (the mail as received, with the SMTP envelope in ``X-Devstack-*`` headers in
front), so the mailbox page shows the mails of earlier runs too.
"""

from __future__ import annotations

import email.policy
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

ENVELOPE_FROM = "X-Devstack-Envelope-From"
ENVELOPE_TO = "X-Devstack-Envelope-To"
RECEIVED_AT = "X-Devstack-Received-At"


@dataclass(frozen=True)
class Attachment:
    """A part of a mail that is a file."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ReceivedMail:
    """One mail as the sink received it."""

    id: int
    received_at: datetime
    envelope_from: str
    envelope_to: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        """The parsed mail."""
        return BytesParser(policy=email.policy.default).parsebytes(self.raw)

    @property
    def subject(self) -> str:
        """The decoded subject."""
        return str(self.message.get("Subject", ""))

    @property
    def sender(self) -> str:
        """The From header, decoded."""
        return str(self.message.get("From", self.envelope_from))

    @property
    def recipients(self) -> str:
        """The To header, decoded (the envelope recipients if there is none)."""
        return str(self.message.get("To", ", ".join(self.envelope_to)))

    def body(self, subtype: str = "plain") -> str | None:
        """The text (or ``html``) body, if the mail has one."""
        part = self.message.get_body(preferencelist=(subtype,))
        if part is None:
            return None
        # SMTP carries CRLF line ends; people and tests read plain newlines.
        return str(cast(EmailMessage, part).get_content()).replace("\r\n", "\n")

    def attachments(self) -> list[Attachment]:
        """The attached files, in order."""
        found = []
        for part in self.message.iter_attachments():
            content = part.get_payload(decode=True)
            found.append(
                Attachment(
                    filename=part.get_filename() or "anhang",
                    content_type=part.get_content_type(),
                    content=content if isinstance(content, bytes) else b"",
                )
            )
        return found

    def summary(self) -> dict[str, Any]:
        """The mail as JSON for the mailbox's API (for e2e tests and scripts)."""
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "envelope_from": self.envelope_from,
            "envelope_to": list(self.envelope_to),
            "from": self.sender,
            "to": self.recipients,
            "subject": self.subject,
            "text": self.body("plain"),
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": len(a.content)}
                for a in self.attachments()
            ],
        }


def to_eml(mail: ReceivedMail) -> bytes:
    """The file content of a kept mail: the envelope as headers, then the mail as received."""
    header = (
        f"{RECEIVED_AT}: {mail.received_at.isoformat()}\r\n"
        f"{ENVELOPE_FROM}: {mail.envelope_from}\r\n"
        f"{ENVELOPE_TO}: {', '.join(mail.envelope_to)}\r\n"
    )
    return header.encode() + mail.raw


def from_eml(mail_id: int, data: bytes) -> ReceivedMail:
    """A kept mail read back (the inverse of ``to_eml``)."""
    envelope: dict[str, str] = {}
    rest = data
    for name in (RECEIVED_AT, ENVELOPE_FROM, ENVELOPE_TO):
        line, _, remainder = rest.partition(b"\r\n")
        key, _, value = line.decode(errors="replace").partition(": ")
        if key != name:
            break
        envelope[name] = value
        rest = remainder
    received = envelope.get(RECEIVED_AT)
    return ReceivedMail(
        id=mail_id,
        received_at=datetime.fromisoformat(received) if received else datetime.now(UTC),
        envelope_from=envelope.get(ENVELOPE_FROM, ""),
        envelope_to=tuple(a for a in envelope.get(ENVELOPE_TO, "").split(", ") if a),
        raw=rest,
    )


class MailStore:
    """The received mails, in memory and (if given a folder) on disk; safe across threads."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._mails: list[ReceivedMail] = []
        self._lock = threading.Lock()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            for path in sorted(folder.glob("*.eml")):
                if path.stem.isdigit():
                    self._mails.append(from_eml(int(path.stem), path.read_bytes()))

    def add(self, envelope_from: str, envelope_to: list[str], raw: bytes) -> ReceivedMail:
        """Keep a mail; returns it with its id."""
        with self._lock:
            mail_id = (self._mails[-1].id if self._mails else 0) + 1
            mail = ReceivedMail(mail_id, datetime.now(UTC), envelope_from, tuple(envelope_to), raw)
            if self.folder is not None:
                (self.folder / f"{mail_id:06d}.eml").write_bytes(to_eml(mail))
            self._mails.append(mail)
            return mail

    def all(self) -> list[ReceivedMail]:
        """Every kept mail, oldest first."""
        with self._lock:
            return list(self._mails)

    def get(self, mail_id: int) -> ReceivedMail | None:
        """One mail by id."""
        with self._lock:
            return next((m for m in self._mails if m.id == mail_id), None)


class _KeepingHandler:
    """aiosmtpd handler: accept every mail and keep it."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        self.store.add(str(envelope.mail_from or ""), list(envelope.rcpt_tos), raw)
        return "250 Message accepted for delivery"


class SmtpSink:
    """The SMTP server, in a thread of its own (aiosmtpd's controller)."""

    def __init__(self, store: MailStore, port: int, host: str = "127.0.0.1") -> None:
        self.store = store
        self.host = host
        self.port = port
        self._controller = Controller(
            _KeepingHandler(store), hostname=host, port=port, enable_SMTPUTF8=True
        )

    def start(self) -> SmtpSink:
        """Listen; returns when the server accepts connections."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()
