"""A mail rendered from the templates arrives as text and HTML, with its attachment, signed.

A fee notice on the demo town Naunhof's letterhead (its coat of arms, from the member folder)
is queued as notify's projection would — subject, text, HTML and a PDF in the object store,
sealed with the case's key — and sent by a sender to a real SMTP server (aiosmtpd) with a
DKIM key of the test's own. What arrives is multipart/mixed: the alternatives (text, and the
HTML with the coat of arms inline) and the PDF; the signature verifies over all of it. Once
delivered, the outbox forgets the HTML with the text.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import asyncpg
import dkim
import pytest

from contracts.events.casework import DocumentRef
from runtime.documents import seal_document
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.notify.domain import rendering, templates
from services.notify.domain.rendering import COAT_OF_ARMS_CID, Renderer
from services.notify.domain.samples import SAMPLES
from services.notify.domain.templates import Letterhead, Payment
from services.notify.sender import Baton, Sender
from services.notify.settings import NotifySettings
from tests.integration.notify.conftest import HOLDER, deliver_all
from tests.integration.notify.test_sender_dkim import DOMAIN, SELECTOR, dns_of, signing_key
from tests.support.mail import SmtpServer

MEMBERS = Path(__file__).parents[3] / "deploy" / "members"
NAUNHOF, WURZEN = "14729300", "14729410"
PDF = b"%PDF-1.7\n% Geb\xc3\xbchrenbescheid\n%%EOF\n"


async def test_a_templated_mail_arrives_as_text_and_html_with_its_attachment_and_verifies(
    rt: Runtime,
    smtp: SmtpServer,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rendering, "_current", Renderer(MEMBERS))
    [profile] = [m["town"] for m in read_member_files(MEMBERS) if m["town"]["ags"] == NAUNHOF]
    message = templates.fee_notice(
        Letterhead.from_profile(profile, "Steuer- und Kassenverwaltung"),
        name="Jürgen <script>alert(1)</script>",
        procedure="gewerbeanmeldung",
        case_number="NAU-2026-000007",
        filename="gebuehrenbescheid.pdf",
        payment=Payment(
            Decimal("26.00"),
            date(2026, 12, 31),
            "NAU-G-7",
            "Stadtkasse Naunhof",
            "DE02120300000000202051",
            "BYLADEM1001",
        ),
    )
    data_key = str(new_id())
    await rt.keys.create(data_key)
    key = await rt.keys.get(data_key)
    assert key is not None
    name = f"{data_key}/gebuehrenbescheid.pdf"
    await rt.attachments.put(name, seal_document(PDF, key, name))
    document = DocumentRef(
        object_name=name,
        filename="gebuehrenbescheid.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    message_id = new_id()
    await rt.pool.execute(
        "INSERT INTO rm_outbox.towns (ags, profile) VALUES ($1, $2)",
        NAUNHOF,
        {"official_name": profile["official_name"], "email": profile["email"]},
    )
    await rt.pool.execute(
        "INSERT INTO rm_outbox.outbox (message_id, tenant, case_id, data_key, template,"
        " recipient, subject, body, html, letterhead_town, attachments)"
        " VALUES ($1, $2, $3, $4, 'fee_notice', 'juergen@example.org', $5, $6, $7, $2, $8)",
        message_id,
        NAUNHOF,
        new_id(),
        data_key,
        message.subject,
        message.body,
        message.html,
        [document.model_dump(mode="json")],
    )
    key_file = tmp_path / "dkim.pem"
    signing = signing_key(key_file)
    settings = NotifySettings(
        environment="test",
        smtp_port=smtp.port,
        sender_domain=DOMAIN,
        dkim_selector=SELECTOR,
        dkim_key_file=key_file,
        members_dir=str(MEMBERS),
    )
    sender = Sender(rt, settings, Baton(), HOLDER)
    presence = await asyncpg.connect(database_url)
    await presence.execute("SELECT pg_advisory_lock($1)", HOLDER)
    try:
        assert await sender.deliver_one() is True
    finally:
        await presence.close()

    [raw] = smtp.mailbox.raw
    assert dkim.verify(raw, dnsfunc=dns_of(signing)) is True
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert str(mail["Subject"]) == message.subject
    assert [part.get_content_type() for part in mail.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/svg+xml",
        "application/pdf",
    ]
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert str(text.get_content()).replace("\r\n", "\n") == message.body
    assert "Guten Tag Jürgen <script>alert(1)</script>," in str(text.get_content())
    shown = str(html.get_content())
    assert "Guten Tag Jürgen &lt;script&gt;alert(1)&lt;/script&gt;," in shown
    assert "<script>" not in shown
    assert f'<img src="cid:{COAT_OF_ARMS_CID}" alt="Wappen: Stadt Naunhof"' in shown
    assert ">Stadt Naunhof</h1>" in shown
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "gebuehrenbescheid.pdf"
    assert attachment.get_payload(decode=True) == PDF

    row = await rt.pool.fetchrow(
        "SELECT status, subject, body, html FROM rm_outbox.outbox WHERE message_id = $1",
        message_id,
    )
    assert dict(row) == {"status": "delivered", "subject": None, "body": None, "html": None}


async def test_the_html_of_a_message_whose_case_was_erased_is_dropped_with_its_text(
    rt: Runtime, smtp: SmtpServer, database_url: str
) -> None:
    data_key = str(new_id())
    await rt.keys.create(data_key)
    message_id = new_id()
    await rt.pool.execute(
        "INSERT INTO rm_outbox.outbox (message_id, tenant, data_key, template, recipient,"
        " subject, body, html) VALUES ($1, $2, $3, 'decision', 'a@example.org', 'Bescheid',"
        " 'Guten Tag Erika', '<p>Guten Tag Erika</p>')",
        message_id,
        NAUNHOF,
        data_key,
    )
    await rt.keys.destroy(data_key)
    sender = Sender(rt, NotifySettings(environment="test", smtp_port=smtp.port), Baton(), HOLDER)
    presence = await asyncpg.connect(database_url)
    await presence.execute("SELECT pg_advisory_lock($1)", HOLDER)
    try:
        assert await sender.deliver_one() is True
    finally:
        await presence.close()

    assert smtp.mailbox.messages == []
    row = await rt.pool.fetchrow(
        "SELECT status, body, html FROM rm_outbox.outbox WHERE message_id = $1", message_id
    )
    assert dict(row) == {"status": "erased", "body": None, "html": None}


@pytest.mark.parametrize("ags", [NAUNHOF, WURZEN])
async def test_every_kind_arrives_signed_on_its_town_s_letterhead(
    ags: str,
    rt: Runtime,
    smtp: SmtpServer,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each kind an operator can preview, rendered with its sample data on the town's
    letterhead (Naunhof with its own templates and coat of arms), queued and sent: each
    arrives once, text and HTML, the DKIM signature verifying over it."""
    monkeypatch.setattr(rendering, "_current", Renderer(MEMBERS))
    [profile] = [m["town"] for m in read_member_files(MEMBERS) if m["town"]["ags"] == ags]
    await rt.pool.execute(
        "INSERT INTO rm_outbox.towns (ags, profile) VALUES ($1, $2)",
        ags,
        {"official_name": profile["official_name"], "email": profile["email"]},
    )
    sent = {}
    for kind, sample in SAMPLES.items():
        message = sample.render(Letterhead.from_profile(profile, sample.office or "Bürgerbüro"))
        sent[f"{kind}@example.org"] = message
        await rt.pool.execute(
            "INSERT INTO rm_outbox.outbox (message_id, tenant, template, recipient, subject,"
            " body, html, letterhead_town) VALUES ($1, $2, $3, $4, $5, $6, $7, $2)",
            new_id(),
            ags,
            kind,
            f"{kind}@example.org",
            message.subject,
            message.body,
            message.html,
        )
    key_file = tmp_path / "dkim.pem"
    signing = signing_key(key_file)
    settings = NotifySettings(
        environment="test",
        smtp_port=smtp.port,
        sender_domain=DOMAIN,
        dkim_selector=SELECTOR,
        dkim_key_file=key_file,
        members_dir=str(MEMBERS),
    )
    await deliver_all(rt, settings, database_url)

    arrived: dict[str, EmailMessage] = {}
    for raw in smtp.mailbox.raw:
        assert dkim.verify(raw, dnsfunc=dns_of(signing)) is True
        mail = message_from_bytes(raw, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        arrived[str(mail["To"])] = mail
    assert sorted(arrived) == sorted(sent)  # every kind, once
    for recipient, message in sent.items():
        mail = arrived[recipient]
        assert str(mail["Subject"]) == message.subject, recipient
        text, html = mail.get_body(("plain",)), mail.get_body(("html",))
        assert text is not None, recipient
        assert html is not None, recipient
        assert str(text.get_content()).replace("\r\n", "\n") == message.body, recipient
        assert profile["official_name"] in message.body, recipient
        assert f">{profile['official_name']}</h1>" in str(html.get_content()), recipient
