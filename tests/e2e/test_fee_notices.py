"""The fee notice, through all five services on real servers: from a decided case to the mailbox.

An automated Gewerbeanmeldung in Wurzen: casework decides, billing assesses 26,00 €, renders
the Gebührenbescheid (PDF/A with GiroCode), stores it sealed with the case's key and
announces ``FeeNoticeIssued``; notify mails it to the applicant as an attachment. The PDF's
text shows the Kassenzeichen billing's API gives, the amount and the due date, and its
GiroCode carries Wurzen's account and the Kassenzeichen. Everything delivered again — the
reactions rewound to the start of their streams, the notice's record lost as in a crash
before its commit — issues no second notice and sends no second mail.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import asyncpg
import httpx
import pypdfium2  # type: ignore[import-untyped]
import pytest
import zxingcpp

from contracts.base import DomainEvent
from contracts.events.billing import FeeNoticeIssued
from contracts.naming import Service
from runtime.eventstore import AggregateRef
from runtime.service import Runtime
from tests.conftest import DatabaseFactory
from tests.e2e.test_case_letters import (
    APPLICANT,
    apply,
    caught_up,
    mail_to,
    pdf_text,
    rewind,
    wait_for_mail,
)
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.mail import SmtpServer
from tests.support.polling import get_once_there
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

WURZEN_IBAN = "DE51860555920000729410"  # deploy/members/14729410-wurzen.toml, a test account
SUBJECT = "Gebührenbescheid: Gewerbeanmeldung"


@pytest.fixture
async def billing_log(
    nats_url: str, namespace: str, new_database: DatabaseFactory
) -> AsyncIterator[Runtime]:
    """A runtime on billing's stream, to read the fees' events."""
    runtime = await connected_runtime(Service.BILLING, nats_url, namespace, await new_database())
    yield runtime
    await runtime.stop()


async def fee_events(log: Runtime, case_id: str) -> list[DomainEvent]:
    ref = AggregateRef(Service.BILLING, WURZEN, "fee", case_id)
    return [e.event for e in (await log.store.load(ref)).events]


async def assessed_fee(suite: Suite, case_id: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=suite.url("billing")) as client:
        fee = await get_once_there(client, f"/api/v1/fees/{case_id}")
    return {key: str(value) for key, value in fee.json().items()}


def girocode(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    codes = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    assert [code.format for code in codes] == [zxingcpp.BarcodeFormat.QRCode]
    return codes[0].bytes.decode("utf-8").split("\n")


async def test_a_decided_case_s_fee_notice_reaches_the_mailbox_once_as_a_pdf(
    suite: Suite, smtp: SmtpServer, billing_log: Runtime
) -> None:
    accepted = await apply(suite, "gewerbeanmeldung", gewerbeanmeldung())
    case_id, number = accepted["application_id"], accepted["case_number"]

    mail = await wait_for_mail(smtp, APPLICANT, SUBJECT)
    fee = await assessed_fee(suite, case_id)
    reference, due = fee["cash_reference"], date.fromisoformat(fee["due_date"])
    assert fee["amount"] == "26.00"
    assert mail["Subject"] == f"{SUBJECT} – Kassenzeichen {reference}"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for part in (
        f"(Vorgangsnummer {number})",
        "Betrag: 26,00 €",
        f"Fällig am: {due:%d.%m.%Y}",
        f"Kassenzeichen: {reference}",
        "Empfänger: Stadtkasse Wurzen",
        "IBAN: DE51 8605 5592 0000 7294 10",
        "GiroCode",
        "Große Kreisstadt Wurzen",
    ):
        assert part in text, part
    assert "Antragskennung:" not in text  # the acknowledgement's alone (tests/support/chaos.py)

    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"gebuehrenbescheid-{case_id}.pdf"
    pdf = attachment.get_payload(decode=True)
    assert isinstance(pdf, bytes)
    notice = pdf_text(pdf)
    for part in (
        "Gebührenbescheid",
        reference,
        "26,00 €",
        f"{due:%d.%m.%Y}",
        "Hedwig Quirinus-Zwetschgenbaum",
        f"Vorgangsnummer {number}",
    ):
        assert part in notice, part
    code = girocode(pdf)
    assert code[5] == "Stadtkasse Wurzen"
    assert code[6] == WURZEN_IBAN
    assert code[7] == "EUR26"  # segno writes the amount without trailing zeros (EPC allows it)
    assert reference in code

    # billing's log: the notice as announced, the very bytes mailed.
    [issued] = [e for e in await fee_events(billing_log, case_id) if isinstance(e, FeeNoticeIssued)]
    assert issued.model_dump(exclude={"document", "issued_at"}) == {
        "case_id": issued.case_id,
        "procedure": "gewerbeanmeldung",
        "cash_reference": reference,
        "amount": Decimal("26.00"),
        "currency": "EUR",
        "due_date": due,
        "payee": "Stadtkasse Wurzen",
        "iban": WURZEN_IBAN,
        "bic": "WELADE8LXXX",
        "replaces_notice_of": None,  # the first notice
    }
    assert str(issued.case_id) == case_id
    assert issued.document.object_name == f"{case_id}/gebuehrenbescheid-{case_id}.pdf"
    assert issued.document.size == len(pdf)

    # Everything delivered again, the notice's record lost as in a crash before its commit.
    reached = await rewind(suite, "billing", ["rm_fee_notices"])
    conn = await asyncpg.connect(suite.database_urls["billing"])
    await conn.execute("UPDATE rm_fee_notices.notices SET status = 'waiting'")
    await conn.close()
    notify_reached = await rewind(suite, "notify", ["rm_outbox"])
    for service in ("billing", "notify"):
        suite.start_one(service)
    for service in ("billing", "notify"):
        suite.wait_ready(service)
    await caught_up(suite, "billing", reached)
    await caught_up(suite, "notify", notify_reached)
    await asyncio.sleep(1.0)  # a second mail would be on its way by now

    assert len(mail_to(smtp, APPLICANT, SUBJECT)) == 1
    events = await fee_events(billing_log, case_id)
    assert sum(isinstance(e, FeeNoticeIssued) for e in events) == 1
