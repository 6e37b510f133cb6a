"""An accepted Gewerbeanmeldung reaches each authority of its town as XGewerbeanzeige.

intake, casework and notify on real servers, Wurzen's member file as it ships: the automated
decision approves the registration, and notify mails one XGewerbeanzeige 2.2 message to each
body the file names — the IHK for a trade, the Handwerkskammer for a craft — each as an XML
attachment, each delivery recorded (``MessageDelivered``, template ``xgewerbeanzeige.<kind>``).
The SMTP sink keeps one mailbox per recipient address; notify relays through it as it relays
through any smarthost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from contracts.naming import Namespace, Service
from runtime.ids import derived_id
from runtime.reader import read_stream
from services.notify.domain.xgewerbeanzeige import NAMESPACE
from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.suite import Suite

BODIES = {  # deploy/members/14729410-wurzen.toml
    "finanzamt": ("Finanzamt Grimma", "gewerbemeldungen.finanzamt-grimma@behoerden.example"),
    "ihk": (
        "Industrie- und Handelskammer zu Leipzig",
        "gewerbemeldungen.ihk-leipzig@behoerden.example",
    ),
    "handwerkskammer": (
        "Handwerkskammer zu Leipzig",
        "gewerbemeldungen.hwk-leipzig@behoerden.example",
    ),
    "statistik": (
        "Statistisches Landesamt des Freistaates Sachsen",
        "gewerbeanzeigen.statistik-sachsen@behoerden.example",
    ),
    "gewerbeaufsicht": (
        "Landesdirektion Sachsen, Arbeitsschutz, Dienststelle Leipzig",
        "gewerbeanzeigen.arbeitsschutz-leipzig@behoerden.example",
    ),
}
NS = {"x": NAMESPACE}


@pytest.fixture
async def trio(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    smtp: SmtpServer,
    issuer: DevIssuer,
    tmp_path: Path,
) -> AsyncIterator[Suite]:
    """intake, casework and notify: the registration, its decision, the forwarding."""
    names = ("intake", "casework", "notify")
    running = Suite(
        nats_url=nats_url,
        database_urls={name: await new_database() for name in names},
        smtp_port=smtp.port,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
    )
    try:
        running.start(names)
        yield running
    finally:
        running.stop()


async def register(suite: Suite, **changes: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
        response = await client.post(
            f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications",
            json=gewerbeanmeldung(**changes),
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


def mailbox(smtp: SmtpServer, address: str, case_number: str) -> list[EmailMessage]:
    """What one recipient received about one registration."""
    return [
        m for m in smtp.mailbox.messages if m["To"] == address and case_number in str(m["Subject"])
    ]


async def received(
    smtp: SmtpServer, kinds: list[str], case_number: str, timeout: float = 45
) -> dict[str, EmailMessage]:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = {kind: mailbox(smtp, BODIES[kind][1], case_number) for kind in kinds}
        if all(found.values()):
            return {kind: mails[0] for kind, mails in found.items()}
        await asyncio.sleep(0.1)
    raise AssertionError(f"not every body got {case_number}: {smtp.mailbox.messages}")


def xml_of(mail: EmailMessage, case_number: str) -> Any:
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/xml"
    assert attachment.get_filename() == f"xgewerbeanzeige-{case_number}.xml"
    content = attachment.get_payload(decode=True)
    assert isinstance(content, bytes)
    return etree.fromstring(content)


async def delivered(suite: Suite, message_id: str, timeout: float = 30) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=suite.url("notify"), headers=suite.operator_headers()
    ) as client:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            response = await client.get(f"/api/v1/messages/{message_id}")
            if response.status_code == 200 and response.json()["status"] == "delivered":
                return dict(response.json())
            await asyncio.sleep(0.1)
    raise AssertionError(f"message {message_id} not delivered")


async def delivery_templates(nats_url: str, namespace: str) -> list[str]:
    """The event types of notify's stream's commits, with the message aggregate's subject."""
    nc = await nats.connect(nats_url)
    try:
        stream = Namespace(namespace).stream(Service.NOTIFY)
        return [
            (msg.headers or {}).get("Rc-Event-Types", "")
            async for msg in read_stream(nc.jetstream(), stream)
        ]
    finally:
        await nc.close()


async def test_an_accepted_registration_reaches_each_authority_as_xgewerbeanzeige(
    trio: Suite, smtp: SmtpServer, nats_url: str, namespace: str
) -> None:
    trade = await register(trio)  # a web designer: a trade, not a craft
    craft = await register(
        trio,
        form__business__activity="Tischlerei: Möbel nach Maß",
        form__business__craft_trade=True,
        form__business__handwerksrolle_entry=True,
    )

    for registration, kinds in (
        (trade, ["finanzamt", "ihk", "statistik", "gewerbeaufsicht"]),
        (craft, ["finanzamt", "handwerkskammer", "statistik", "gewerbeaufsicht"]),
    ):
        case_id, number = registration["application_id"], registration["case_number"]
        mails = await received(smtp, kinds, number)
        for kind, mail in mails.items():
            name, _ = BODIES[kind]
            assert mail["Subject"] == (
                f"Gewerbeanmeldung {number} – Große Kreisstadt Wurzen (XGewerbeanzeige)"
            )
            text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            assert f"An: {name}" in text
            assert "§ 3 GewAnzV" in text
            message = xml_of(mail, number)
            assert etree.QName(message) == etree.QName(NAMESPACE, "abh.gewerbemeldung.0500")
            assert message.findtext("x:nachrichtenkopf/x:leser/x:behoerdenname", namespaces=NS) == (
                name
            )
            assert message.findtext("x:satz/x:anmeldung/x:uuid", namespaces=NS) == case_id
            assert message.findtext("x:satz/x:anmeldung/x:gemeindeMeldungNr", namespaces=NS) == (
                number
            )
            person = "x:satz/x:anmeldung/x:gewerbe/x:beteiligtePerson/"
            assert message.findtext(person + "x:familienname", namespaces=NS) == (
                "Quirinus-Zwetschgenbaum"
            )
            craft_code = message.findtext(
                "x:satz/x:anmeldung/x:gewerbe/x:betriebArt/x:handwerk/code", namespaces=NS
            )
            assert craft_code == ("1" if registration is craft else "0")
            status = await delivered(trio, str(derived_id(case_id, f"xgewerbeanzeige.{kind}")))
            assert status["template"] == f"xgewerbeanzeige.{kind}"
            assert status["case_id"] == case_id
        left_out = "handwerkskammer" if registration is trade else "ihk"
        await asyncio.sleep(0.5)  # a wrong forwarding would have gone out with the others
        assert mailbox(smtp, BODIES[left_out][1], number) == []
        for kind in kinds:  # exactly one message each
            assert len(mailbox(smtp, BODIES[kind][1], number)) == 1

    # Each forwarding is recorded as delivered, and the outbox no longer holds its XML.
    types = await delivery_templates(nats_url, namespace)
    assert sum("notify.MessageDelivered" in t for t in types) >= 8
    assert any("notify.ForwardingConfigured" in t for t in types)
    conn = await asyncpg.connect(trio.database_urls["notify"])
    try:
        rows = await conn.fetch(
            "SELECT status, payload, body FROM rm_outbox.outbox"
            " WHERE template LIKE 'xgewerbeanzeige.%'"
        )
        assert len(rows) == 8
        assert all(r["status"] == "delivered" for r in rows)
        assert all(r["payload"] is None and r["body"] is None for r in rows)
        kept = await conn.fetch("SELECT done, application FROM rm_outbox.registrations")
        assert [(r["done"], r["application"]) for r in kept] == [(True, None)] * 2
    finally:
        await conn.close()
