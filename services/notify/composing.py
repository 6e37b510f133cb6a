"""A message put together as it goes out: MIME parts, the town's letterhead, the DKIM
signature, the SMTP envelope — bytes, ready for the relay.

The email package's header parsing, folding and flattening are most of the CPU a mail costs
(about 7 ms each on the benchmark machine, seven mails per trade registration). So a sender
puts only a citizen's receipt together itself; every other message is put together in
notify's worker process (``runtime.worker``), at the lower priority of heavy work, and the
sender sends the bytes it gets back. The function is the same in both places (``outgoing``).
"""

from __future__ import annotations

import email.policy
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

import structlog
from aiosmtplib.email import extract_recipients, extract_sender, flatten_message

from runtime.errors import describe_error
from services.notify.attachments import Attachment
from services.notify.dkim_signing import DkimKey, needs_smtputf8, signed
from services.notify.domain import rendering
from services.notify.domain.rendering import COAT_OF_ARMS_CID
from services.notify.settings import NotifySettings

log = structlog.get_logger(__name__)


class SharedHeaderClasses(HeaderRegistry):
    """The standard header registry, but each header's class is made once.

    The standard one builds a new class with ``type()`` every time a header is set or read;
    with the MIME parts' own headers, that was a third of a receipt's composing time."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def map_to_type(self, name: str, cls: type[Any]) -> None:
        super().map_to_type(name, cls)
        self._made.clear()  # made with the class before

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


POLICY = email.policy.default.clone(header_factory=SharedHeaderClasses())
"""The email package's default policy, with the header classes made once."""


@dataclass(frozen=True)
class Request:
    """Everything a message needs to be put together, picklable for the worker."""

    row: dict[str, Any]
    """The outbox row's columns (and the town's profile)."""
    settings: NotifySettings
    attachments: tuple[Attachment, ...]
    envelope_sender: str
    """The VERP MAIL FROM, or empty for the From address."""
    dkim: DkimKey | None
    eight_bit: bool
    """Whether the relay takes 8-bit bodies (8BITMIME)."""


@dataclass(frozen=True)
class Outgoing:
    """A message as it is handed to the relay."""

    sender: str
    recipients: list[str]
    data: bytes
    options: list[str]
    """MAIL FROM parameters: SMTPUTF8, BODY=8BITMIME."""


def outgoing(request: Request) -> Outgoing:
    """The bytes and envelope of a message — as aiosmtplib's ``send_message`` would make them,
    or, with a DKIM key, exactly the bytes that were signed."""
    mail = compose(request.row, request.settings, request.attachments)
    if request.dkim is not None:
        return Outgoing(
            request.envelope_sender or parseaddr(str(mail["From"]))[1],
            [str(mail["To"])],
            signed(mail, request.dkim),
            ["SMTPUTF8"] if needs_smtputf8(mail) else [],
        )
    sender = request.envelope_sender or extract_sender(mail) or ""
    recipients = extract_recipients(mail)
    utf8 = not (sender + "".join(recipients)).isascii()
    options = (["SMTPUTF8"] if utf8 else []) + (["BODY=8BITMIME"] if request.eight_bit else [])
    data = flatten_message(mail, utf8=utf8, cte_type="8bit" if request.eight_bit else "7bit")
    return Outgoing(sender, recipients, data, options)


def compose(
    row: Any, settings: NotifySettings, attachments: Sequence[Attachment] = ()
) -> EmailMessage:
    """The e-mail for an outbox row, from the (competent) town's own address."""
    mail = EmailMessage(policy=POLICY)
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
    if row.get("html"):  # text and HTML as alternatives; the attachments beside them
        add_html(mail, row, settings)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return mail


def add_html(mail: EmailMessage, row: Any, settings: NotifySettings) -> None:
    """The HTML part, with the town's coat of arms inline where the letterhead shows it."""
    mail.add_alternative(row["html"], subtype="html")
    town = row.get("letterhead_town") or row.get("tenant") or ""
    if f"cid:{COAT_OF_ARMS_CID}" not in row["html"]:
        return
    arms, image = None, None
    try:
        arms = coats_of_arms(settings.members_dir).get(town)
        image = arms.path.read_bytes() if arms is not None else None
    except (OSError, ValueError) as exc:  # the folder changed since the start
        log.warning("coat of arms unreadable", town=town, error=describe_error(exc))
    if arms is None or image is None:
        return  # shown as its alternative text
    maintype, _, subtype = arms.content_type.partition("/")
    *_, html = mail.iter_parts()  # text, then HTML
    html.add_related(
        image,
        maintype=maintype,
        subtype=subtype,
        cid=f"<{COAT_OF_ARMS_CID}>",
        disposition="inline",
        filename=arms.path.name,
    )


coats_of_arms = functools.cache(rendering.coats_of_arms)
"""The member files' coats of arms, read once per process (a change of the files needs a
restart)."""

COMPOSE = "services.notify.composing:outgoing"
"""The job's name for ``runtime.worker.Job``."""
