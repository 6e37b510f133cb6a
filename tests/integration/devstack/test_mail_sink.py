"""The development mail sink, for real: SMTP in, the web mailbox out."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from devstack.embedded import free_port
from devstack.mailbox import MailSink


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    smtp_port = free_port()
    running = MailSink.start(tmp_path / "mail", smtp_port, free_port())
    yield running
    running.stop()


def fee_notice() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Stadt Naunhof <noreply@rathauscloud.example>"
    message["To"] = "Jörg Bäßler <joerg@example.org>"
    message["Subject"] = "Gebührenbescheid – Gewerbeanmeldung"
    message.set_content("Sehr geehrter Herr Bäßler,\nanbei Ihr Gebührenbescheid.")
    message.add_attachment(
        b"%PDF-1.7 test", maintype="application", subtype="pdf", filename="bescheid.pdf"
    )
    return message


async def send(sink: MailSink, message: EmailMessage, *recipients: str) -> None:
    await aiosmtplib.send(
        message,
        hostname="127.0.0.1",
        port=sink.smtp.port,
        recipients=list(recipients) or None,
        start_tls=False,
        use_tls=False,
    )


async def test_a_sent_mail_can_be_read_in_the_mailbox(sink: MailSink) -> None:
    await send(sink, fee_notice(), "joerg@example.org", "kasse@naunhof.example")
    async with httpx.AsyncClient(base_url=sink.web.url) as web:
        overview = await web.get("/")
        messages = (await web.get("/api/messages")).json()
        detail = await web.get("/messages/1")
        pdf = await web.get("/messages/1/attachments/1")
    assert overview.status_code == 200
    assert '<a href="/messages/1">Gebührenbescheid – Gewerbeanmeldung</a>' in overview.text
    assert "Jörg Bäßler &lt;joerg@example.org&gt;" in overview.text
    [mail] = messages
    assert mail["envelope_to"] == ["joerg@example.org", "kasse@naunhof.example"]
    assert mail["envelope_from"] == "noreply@rathauscloud.example"
    assert mail["text"] == "Sehr geehrter Herr Bäßler,\nanbei Ihr Gebührenbescheid.\n"
    assert "anbei Ihr Gebührenbescheid." in detail.text
    assert pdf.content == b"%PDF-1.7 test"
    assert pdf.headers["content-type"] == "application/pdf"


async def test_mails_are_kept_across_a_restart(sink: MailSink, tmp_path: Path) -> None:
    await send(sink, fee_notice())
    sink.stop()
    again = MailSink.start(tmp_path / "mail", free_port(), free_port())
    try:
        async with httpx.AsyncClient(base_url=again.web.url) as web:
            [mail] = (await web.get("/api/messages")).json()
        assert mail["subject"] == "Gebührenbescheid – Gewerbeanmeldung"
        assert (tmp_path / "mail" / "000001.eml").read_bytes().startswith(b"X-Devstack-Received-At")
    finally:
        again.stop()
