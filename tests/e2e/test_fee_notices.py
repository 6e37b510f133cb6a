"""The fee notice, through all five services on real servers: from a decided case to the mailbox.

An automated Gewerbeanmeldung in Wurzen: casework decides, billing assesses 26,00 €, renders
the Gebührenbescheid (PDF/A with GiroCode), stores it sealed with the case's key and
announces ``FeeNoticeIssued``; notify mails it to the applicant as an attachment. The PDF's
text shows the Kassenzeichen billing's API gives, the amount and the due date, and its
GiroCode carries Wurzen's account and the Kassenzeichen. Everything delivered again — the
reactions rewound to the start of their streams, the notice's record lost as in a crash
before its commit — issues no second notice and sends no second mail.

On the same stack, a business that asks in its application (Gewerbeanmeldung form version 3)
for the fee as an XRechnung finds it in the same mail beside the PDF, and alone at the address
it named; the XML passes the check incoming invoices get and reads back as the fee, and it too
goes out once after the rewind. The application that does not ask gets the PDF alone.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

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
from services.billing.einvoices.check import check_invoice
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
from tests.unit.contracts.test_gewerbeanmeldung_v2 import v2

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


INVOICE_INBOX = "rechnungseingang@quirinus-webdesign.example"
E_INVOICE = {
    "buyer_name": 'Quirinus <Webdesign> & "Söhne" GmbH',
    "buyer_address": {"street": "Domplatz 5", "postcode": "04808", "city": "Wurzen"},
    "buyer_reference": "BESTELLUNG-2026-17",
    "email": INVOICE_INBOX,
}


async def apply_for_xrechnung(suite: Suite, operator_token: str) -> dict[str, Any]:
    """Wurzen offers form version 3; a business applies with it, asking for an XRechnung."""
    await offer_form_version_3(suite, operator_token)
    form = v2() | {"e_invoice_wanted": True, "e_invoice": E_INVOICE}
    return await apply(suite, "gewerbeanmeldung", {"form": form, "attachments": []})


async def offer_form_version_3(suite: Suite, operator_token: str) -> None:
    """Wurzen's Gewerbeanmeldung in form version 3 (version 2 and the XRechnung part)."""
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=15) as client:
        switched = await client.put(
            f"/ops/v1/catalogue/towns/{WURZEN}/procedures/gewerbeanmeldung",
            json={"competent_office": "Gewerbeamt", "form_version": 3},
            headers={"Authorization": f"Bearer {operator_token}"},
        )
        assert switched.status_code == 200, switched.text
        form_url = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/form"
        for _ in range(100):
            if (await client.get(form_url)).json()["form_version"] == 3:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("intake does not offer form version 3")


async def test_a_decided_case_s_fee_notice_reaches_the_mailbox_once_as_a_pdf(
    suite: Suite, smtp: SmtpServer, billing_log: Runtime, operator_token: str
) -> None:
    accepted = await apply(suite, "gewerbeanmeldung", gewerbeanmeldung())
    case_id, number = accepted["application_id"], accepted["case_number"]
    # A business asking for an XRechnung, on the same stack (one start saved), applying while
    # the first case goes its way.
    business_applied = asyncio.create_task(apply_for_xrechnung(suite, operator_token))

    fee = await assessed_fee(suite, case_id)
    reference, due = fee["cash_reference"], date.fromisoformat(fee["due_date"])
    mail = await wait_for_mail(smtp, APPLICANT, f"{SUBJECT} – Kassenzeichen {reference}")
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
        "xrechnung": None,  # not asked for
        "xrechnung_email": None,
    }
    assert str(issued.case_id) == case_id
    assert issued.document.object_name == f"{case_id}/gebuehrenbescheid-{case_id}.pdf"
    assert issued.document.size == len(pdf)

    business = await business_applied
    business_reference = await xrechnung_mailed(suite, smtp, billing_log, business)

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

    assert len(mail_to(smtp, APPLICANT, SUBJECT)) == 2  # the plain one, the business's
    assert len(mail_to(smtp, INVOICE_INBOX, f"E-Rechnung {business_reference}")) == 1
    for case in (case_id, business["application_id"]):
        events = await fee_events(billing_log, case)
        assert sum(isinstance(e, FeeNoticeIssued) for e in events) == 1


async def xrechnung_mailed(
    suite: Suite, smtp: SmtpServer, billing_log: Runtime, accepted: dict[str, Any]
) -> str:
    """The business's notice mail carries the PDF and the XRechnung, which passes the check
    and reads back as the fee; the XRechnung alone reached the inbox the business named.
    Returns the Kassenzeichen."""
    case_id = accepted["application_id"]
    fee = await assessed_fee(suite, case_id)
    reference = fee["cash_reference"]
    mail = await wait_for_mail(smtp, APPLICANT, f"{SUBJECT} – Kassenzeichen {reference}")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"als E-Rechnung im Format XRechnung bei (xrechnung-{reference}.xml)" in text
    pdf, xml = list(mail.iter_attachments())
    assert (pdf.get_content_type(), pdf.get_filename()) == (
        "application/pdf",
        f"gebuehrenbescheid-{case_id}.pdf",
    )
    assert (xml.get_content_type(), xml.get_filename()) == (
        "application/xml",
        f"xrechnung-{reference}.xml",
    )
    content = xml.get_payload(decode=True)
    assert isinstance(content, bytes)

    verdict = check_invoice(content)
    assert verdict.accepted, verdict.findings
    assert [f for f in verdict.findings if f.severity == "fatal"] == []
    data = verdict.data
    assert data is not None
    assert (data.invoice_number, data.payable, data.due_date) == (
        reference,
        Decimal(fee["amount"]),
        date.fromisoformat(fee["due_date"]),
    )
    assert (data.iban, data.buyer_reference) == (WURZEN_IBAN, "BESTELLUNG-2026-17")
    assert data.seller.name == "Große Kreisstadt Wurzen"
    assert data.buyer.name == 'Quirinus <Webdesign> & "Söhne" GmbH'

    alone = await wait_for_mail(smtp, INVOICE_INBOX, f"E-Rechnung {reference}")
    [attached] = list(alone.iter_attachments())
    assert attached.get_filename() == f"xrechnung-{reference}.xml"
    assert attached.get_payload(decode=True) == content

    [issued] = [e for e in await fee_events(billing_log, case_id) if isinstance(e, FeeNoticeIssued)]
    assert issued.xrechnung is not None
    assert issued.xrechnung.model_dump() == {
        "object_name": f"{case_id}/xrechnung-{reference}.xml",
        "filename": f"xrechnung-{reference}.xml",
        "content_type": "application/xml",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert issued.xrechnung_email == INVOICE_INBOX
    return reference
