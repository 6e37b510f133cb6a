"""A real SMTP server for tests (aiosmtpd), keeping what it receives."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from devstack.embedded import free_port


@dataclass
class Mailbox:
    """Everything the SMTP server accepted; can be told to refuse recipients."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    """Each message's bytes exactly as received (a signature is checked over these)."""
    senders: list[str] = field(default_factory=list)
    """Each message's envelope sender (MAIL FROM), where its bounces would go."""
    refuse: int = 0
    """Answer the next ``refuse`` deliveries with 451 (temporary failure)."""
    reject_permanently: bool = False

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.reject_permanently:
            return f"550 5.1.1 <{address}>: Recipient address rejected"  # as real servers say
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.raw.append(envelope.content)
        self.senders.append(envelope.mail_from)
        self.messages.append(message)
        return "250 Message accepted"

    async def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """Wait until at least ``count`` messages arrived."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.messages) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} mails, got {len(self.messages)}")
            await asyncio.sleep(0.05)
        return self.messages

    async def wait_for_subject(self, start: str, timeout: float = 30.0) -> EmailMessage:
        """The first mail whose subject starts with ``start``, once it arrived (other mails of
        the case — the acknowledgement, the forwardings to the authorities — come in any
        order)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [m for m in self.messages if str(m["Subject"]).startswith(start)]
            if found:
                return found[0]
            if asyncio.get_running_loop().time() > deadline:
                subjects = [str(m["Subject"]) for m in self.messages]
                raise AssertionError(f"no mail „{start}…“ among {subjects}")
            await asyncio.sleep(0.05)


class SmtpServer:
    """aiosmtpd on a free port."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        """Start serving in a thread."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._controller.stop()


def text_of(message: EmailMessage) -> str:
    """A mail's plain-text part (notify's mails are text and HTML as alternatives)."""
    part = message.get_body(("plain",))
    assert part is not None, "no text/plain part"
    return str(part.get_content())
