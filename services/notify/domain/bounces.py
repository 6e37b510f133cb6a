"""Delivery status notifications (RFC 3464) and VERP addresses: reading what comes back (pure).

A mail server that cannot deliver a message it accepted sends a DSN to the message's envelope
sender: ``multipart/report; report-type=delivery-status``, whose second part
(``message/delivery-status``) holds one block of per-message fields and one block per
recipient (``Action``, ``Status``, ``Final-Recipient``, ``Diagnostic-Code``, …), and whose
third part returns the message or its headers. notify sends every mail with a VERP envelope
sender that names the message (``bounce+<message id>@<sender domain>``), so the address a
DSN comes to tells which message it is about; where a DSN went elsewhere, the
``Original-Message-ID`` field or the returned ``Message-ID`` header does.

Only ``failed`` (the message is given up: a bounce) and ``delayed`` (still being tried)
matter; ``delivered``, ``relayed`` and ``expanded`` reports change nothing.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.parser import HeaderParser
from email.utils import parsedate_to_datetime
from typing import Literal
from uuid import UUID

Outcome = Literal["bounced", "deferred"]
OUTCOMES: dict[str, Outcome] = {"failed": "bounced", "delayed": "deferred"}
"""The ``Action`` values that change a message's delivery status, and what they make it."""

STATUS_CODE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
ADDRESS = re.compile(r"[^\s<>\"';,()]+@[^\s<>\"';,()]+")
MESSAGE_ID = re.compile(
    r"<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@", re.IGNORECASE
)


class NotADeliveryReport(ValueError):
    """The mail is no DSN notify can read (the reason says why); it is dropped."""


@dataclass(frozen=True)
class RecipientStatus:
    """What the report says of one recipient."""

    action: str
    status: str
    final_recipient: str | None
    diagnostic: str | None
    will_retry_until: datetime | None

    @property
    def outcome(self) -> Outcome | None:
        """``bounced``, ``deferred``, or ``None`` for a report that changes nothing."""
        return OUTCOMES.get(self.action)


@dataclass(frozen=True)
class DeliveryReport:
    """A parsed DSN: its recipients' statuses and what names the original message."""

    report_key: str
    """Identifies this report however often it arrives: its own Message-ID, else a hash of
    its status part (a relay adds headers, never changes the report)."""
    recipients: tuple[RecipientStatus, ...]
    original_message_ids: tuple[str, ...]
    """``Original-Message-ID`` fields and the returned message's ``Message-ID``, as given."""

    @property
    def relevant(self) -> RecipientStatus | None:
        """The recipient status that decides: a failure before a delay; none that matters."""
        for wanted in ("failed", "delayed"):
            for recipient in self.recipients:
                if recipient.action == wanted:
                    return recipient
        return None


def verp_address(message_id: UUID, local_part: str, domain: str) -> str:
    """The envelope sender that brings a message's DSN back to it: ``bounce+<id>@domain``."""
    return f"{local_part}+{message_id}@{domain}"


def message_of_verp(address: str, local_part: str) -> UUID | None:
    """The message a VERP address names (``bounce+<id>@…``), or ``None`` for another address."""
    local, _, _ = address.strip().strip("<>").rpartition("@")
    tag, plus, rest = local.partition("+")
    if not plus or tag.lower() != local_part.lower():
        return None
    try:
        return UUID(rest)
    except ValueError:
        return None


def message_of_id(header: str) -> UUID | None:
    """The message a ``Message-ID`` notify gave names (``<uuid@sender domain>``), if any."""
    found = MESSAGE_ID.search(header or "")
    return UUID(found.group(1)) if found else None


def without_addresses(text: str) -> str:
    """A diagnostic with every mail address replaced by ``…`` (for operators and logs)."""
    return ADDRESS.sub("…", text)


def parse_report(raw: bytes) -> DeliveryReport:
    """Read a DSN; ``NotADeliveryReport`` (with the reason) for anything else."""
    try:
        mail = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # the email package is lenient; anything it raises is garbage
        raise NotADeliveryReport(f"unreadable mail ({type(exc).__name__})") from None
    if mail.get_content_type() != "multipart/report":
        raise NotADeliveryReport(f"not a report ({mail.get_content_type()})")
    if str(mail.get_param("report-type") or "").lower() != "delivery-status":
        raise NotADeliveryReport("a report, but not of delivery status")
    payload = mail.get_payload()
    if not isinstance(payload, list):
        raise NotADeliveryReport("a report without parts")
    parts = [part for part in payload if isinstance(part, Message)]
    status_parts = [p for p in parts if p.get_content_type() == "message/delivery-status"]
    if not status_parts:
        raise NotADeliveryReport("no message/delivery-status part")
    blocks = _blocks(status_parts[0])
    recipients = tuple(_recipient(block) for block in blocks[1:] if block.get("Action"))
    if not recipients:
        raise NotADeliveryReport("no recipient with an action")
    originals = [str(b["Original-Message-ID"]) for b in blocks if b.get("Original-Message-ID")]
    originals += _returned_message_ids(parts)
    return DeliveryReport(
        report_key=_report_key(mail, status_parts[0]),
        recipients=recipients,
        original_message_ids=tuple(originals),
    )


def _blocks(part: Message) -> list[Message]:
    """The field blocks of a ``message/delivery-status`` part (per message, per recipient)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    raise NotADeliveryReport("an unreadable delivery-status part")


def _recipient(block: Message) -> RecipientStatus:
    status = STATUS_CODE.search(_field(block, "Status") or "")
    return RecipientStatus(
        action=(_field(block, "Action") or "").lower(),
        status=".".join(status.groups()) if status else "",
        final_recipient=_typed_value(_field(block, "Final-Recipient")),
        diagnostic=_typed_value(_field(block, "Diagnostic-Code")),
        will_retry_until=_date(_field(block, "Will-Retry-Until")),
    )


def _field(block: Message, name: str) -> str | None:
    """A field's value, unfolded (continuation lines joined by one space)."""
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else None


def _typed_value(value: str | None) -> str | None:
    """``rfc822; a@b.de`` → ``a@b.de`` (the address or diagnostic type comes first)."""
    if not value:
        return None
    kind, semicolon, rest = value.partition(";")
    return (rest if semicolon else kind).strip() or None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _returned_message_ids(parts: list[Message]) -> list[str]:
    """The ``Message-ID`` of the returned message (``message/rfc822``) or headers."""
    found: list[str] = []
    for part in parts:
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            returned = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(returned, Message) and returned.get("Message-ID"):
                found.append(str(returned["Message-ID"]))
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if not isinstance(text, bytes):
                continue
            headers = HeaderParser().parsestr(text.decode("ascii", "replace"))
            if headers.get("Message-ID"):
                found.append(str(headers["Message-ID"]))
    return found


def _report_key(mail: Message, status_part: Message) -> str:
    own = mail.get("Message-ID")
    if own:
        return f"id:{' '.join(str(own).split())}"
    return "sha256:" + hashlib.sha256(status_part.as_bytes()).hexdigest()
