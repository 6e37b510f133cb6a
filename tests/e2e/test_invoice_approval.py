"""Approving and paying incoming e-invoices on real servers, under a service-centre delegation.

Wurzen's supervisor agrees through casework's delegation API that Augustusburg processes
Wurzen's incoming invoices (``eingangsrechnung``). An official test invoice of 10.555,30 €,
its buyer reference replaced by Wurzen's Leitweg-ID, arrives in Wurzen's queue. A clerk of
Augustusburg confirms it factually correct in Wurzen's name; the same person cannot also order
the payment (409, German); another Augustusburg clerk orders it; above Wurzen's threshold
(5.000 €) it needs a third person's countersignature before any file takes it. Wurzen's
treasury then makes the pain.001 file: it pays the invoice once, from Wurzen's account; a
second file does not pay it again. A clerk of Thallwitz gets 404 throughout. A rejected
invoice's supplier receives the reasons by mail in the SMTP sink; two clerks confirming one
invoice at once: one wins, the other gets 409.

One stack for the module (intake, casework, billing, notify).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from contracts.events.einvoices import (
    IncomingInvoiceReceived,
    InvoiceCountersigned,
    InvoiceDeadlineNear,
    InvoiceFactuallyApproved,
    InvoicePaymentOrdered,
    InvoiceReleasedForPayment,
)
from contracts.naming import Service
from runtime.eventstore import AggregateRef
from runtime.service import Runtime
from tests.e2e.test_incoming_invoices import WURZEN_LEITWEG, addressed_to, official
from tests.support.applications import AUGUSTUSBURG, WURZEN
from tests.support.desk import clerk_token
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

THALLWITZ = "14729380"
WURZEN_IBAN = "DE51860555920000729410"  # deploy/members/14729410-wurzen.toml
XML = {"content-type": "application/xml"}
PAIN = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
SAME_PERSON = (
    "Die sachliche Richtigkeit und die Anordnung dürfen nicht von derselben Person stammen."
)

Stack = tuple[Suite, Runtime, SmtpServer]


@pytest.fixture(scope="module")
async def stack(
    nats_url: str,
    pg_admin_url: str,
    issuer: DevIssuer,
    shared_smtp: SmtpServer,
    tmp_path_factory: Any,
) -> AsyncIterator[Stack]:
    namespace = f"t{secrets.token_hex(4)}"
    admin = await asyncpg.connect(pg_admin_url)
    names = [f"test_{secrets.token_hex(5)}" for _ in range(6)]
    for name in names:
        await admin.execute(f'CREATE DATABASE "{name}"')
    urls = [pg_admin_url.rsplit("/", 1)[0] + f"/{name}" for name in names]
    services = ("intake", "casework", "billing", "notify", "archive")
    suite = Suite(
        nats_url=nats_url,
        database_urls=dict(zip(services, urls, strict=False)),
        smtp_port=shared_smtp.port,
        workdir=tmp_path_factory.mktemp("approval"),
        namespace=namespace,
        issuer_url=issuer.url,
        service_env={
            "billing": {"BILLING_INVOICE_SMTP_PORT": "0", "BILLING_INVOICE_WARM_UP": "true"}
        },
    )
    log = None
    try:
        suite.start(services)
        log = await connected_runtime(Service.BILLING, nats_url, namespace, urls[5])
        yield suite, log, shared_smtp
    finally:
        if log is not None:
            await log.stop()
        suite.stop()
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def client(suite: Suite, token: str | None, service: str = "billing") -> httpx.AsyncClient:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=suite.url(service), headers=headers, timeout=30)


def person(issuer: DevIssuer, town: str, name: str, *roles: str) -> str:
    return clerk_token(issuer, town, name, roles=roles or ("clerk",))


@pytest.fixture(scope="module")
async def delegated(stack: Stack, issuer: DevIssuer) -> None:
    """Wurzen's supervisor lets Augustusburg process Wurzen's invoices; billing learns it."""
    suite = stack[0]
    supervisor = person(issuer, WURZEN, "Sabine Leitung", "supervisor")
    async with client(suite, supervisor, "casework") as casework:
        agreed = await casework.put(
            f"/api/v1/desk/delegations/{WURZEN}/eingangsrechnung",
            json={"processing_towns": [AUGUSTUSBURG]},
        )
        assert agreed.status_code == 200, agreed.text
        assert [(a["procedure"], a["in_force"]) for a in agreed.json()] == [
            ("eingangsrechnung", True)
        ]
    async with client(suite, person(issuer, AUGUSTUSBURG, "Clara Auftrag")) as billing:
        for _ in range(200):
            if (await billing.get(f"/api/v1/towns/{WURZEN}/einvoices")).status_code == 200:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("billing never learnt the delegation")


async def received(suite: Suite, issuer: DevIssuer, name: str) -> str:
    """An official test invoice sent to Wurzen, once it is in Wurzen's queue: its id."""
    async with client(suite, None) as supplier:
        sent = await supplier.post(
            "/api/v1/einvoices", content=addressed_to(official(name), WURZEN_LEITWEG), headers=XML
        )
    assert sent.status_code == 201, sent.text
    invoice_id: str = sent.json()["invoice_id"]
    async with client(suite, person(issuer, WURZEN, "Wilma Wurzen")) as clerk:
        for _ in range(200):
            queue = (await clerk.get(f"/api/v1/towns/{WURZEN}/einvoices")).json()
            if any(row["invoice_id"] == invoice_id for row in queue):
                return invoice_id
            await asyncio.sleep(0.1)
    raise AssertionError(f"{invoice_id} never reached Wurzen's queue")


async def post(suite: Suite, token: str, path: str, body: Any = None) -> httpx.Response:
    async with client(suite, token) as caller:
        return await caller.post(path, json=body)


async def filed_in_archive(suite: Suite, invoice_id: str) -> Any:
    """Archive's verified file of an invoice whose processing ended, once it is filed."""
    async with client(suite, None, "archive") as archive:
        for _ in range(300):
            answer = await archive.get(f"/api/v1/files/{invoice_id}")
            if answer.status_code == 200:
                return answer.json()
            assert answer.status_code == 404, answer.text
            await asyncio.sleep(0.1)
    raise AssertionError("archive never filed the invoice")


async def invoice_events(log: Runtime, invoice_id: str, count: int) -> list[Any]:
    ref = AggregateRef(Service.BILLING, WURZEN, "incoming-invoice", invoice_id)
    for _ in range(100):
        events = [e.event for e in (await log.store.load(ref)).events]
        if len(events) >= count:
            return events
        await asyncio.sleep(0.1)
    raise AssertionError(f"{invoice_id}: fewer than {count} events: {events}")


@pytest.mark.usefixtures("delegated")
async def test_a_delegated_invoice_is_approved_under_four_eyes_and_paid_once(
    stack: Stack, issuer: DevIssuer
) -> None:
    suite, log, _ = stack
    invoice = await received(suite, issuer, "01.05a-INVOICE_ubl.xml")  # 10.555,30 €
    base = f"/api/v1/towns/{WURZEN}/einvoices/{invoice}"
    clara = person(issuer, AUGUSTUSBURG, "Clara Auftrag")
    bernd = person(issuer, AUGUSTUSBURG, "Bernd Anordnung")
    dora = person(issuer, WURZEN, "Dora Zweit", "supervisor")
    thallwitz = person(issuer, THALLWITZ, "Theo Thallwitz")
    treasury = person(issuer, WURZEN, "Karla Kasse", "treasury")

    for path in ("/factual-approval", "/payment-order", "/countersignature"):
        assert (await post(suite, thallwitz, base + path)).status_code == 404
    async with client(suite, thallwitz) as other:
        assert (await other.get(base + "/approval")).status_code == 404
    async with client(suite, None) as anonymous:
        assert (await anonymous.post(base + "/factual-approval")).status_code == 401

    checked = await post(suite, clara, base + "/factual-approval", {"note": "Lieferung geprüft"})
    assert checked.status_code == 200, checked.text
    view = checked.json()
    assert (view["status"], view["payable"]) == ("checked", "10555.30")
    assert view["checked"]["by_town"] == AUGUSTUSBURG
    assert view["checked"]["on_behalf_of"] == WURZEN
    assert view["checked"]["note"] == "Lieferung geprüft"

    same = await post(suite, clara, base + "/payment-order")
    assert same.status_code == 409, same.text
    assert (same.json()["detail"], same.json()["rule"]) == (SAME_PERSON, "checker_orders")

    ordered = await post(suite, bernd, base + "/payment-order")
    assert ordered.status_code == 200, ordered.text
    assert (ordered.json()["status"], ordered.json()["second_approval_required"]) == (
        "ordered",
        True,
    )

    nothing = await post(suite, treasury, f"/api/v1/towns/{WURZEN}/einvoices/payment-file")
    assert (nothing.status_code, nothing.json()["file_id"]) == (200, None)  # not countersigned

    again = await post(suite, bernd, base + "/countersignature")
    assert (again.status_code, again.json()["rule"]) == (409, "countersigner_took_part")
    signed = await post(suite, dora, base + "/countersignature")
    assert (signed.status_code, signed.json()["status"]) == (200, "approved"), signed.text

    assert (
        await post(suite, clara, f"/api/v1/towns/{WURZEN}/einvoices/payment-file")
    ).status_code == 403
    other_treasury = person(issuer, THALLWITZ, "Till Kasse", "treasury")
    assert (
        await post(suite, other_treasury, f"/api/v1/towns/{WURZEN}/einvoices/payment-file")
    ).status_code == 404

    made = await post(suite, treasury, f"/api/v1/towns/{WURZEN}/einvoices/payment-file")
    assert made.status_code == 201, made.text
    paid = made.json()
    assert [(t["invoice_id"], t["amount"], t["discounted"]) for t in paid["transfers"]] == [
        (invoice, "10555.30", False)
    ]
    async with client(suite, treasury) as kasse:
        xml = await kasse.get(paid["url"])
        assert xml.status_code == 200
        assert xml.headers["content-type"].startswith("application/xml")
        listed = (await kasse.get(f"/api/v1/towns/{WURZEN}/einvoices/payment-files")).json()
    assert [f["file_id"] for f in listed] == [paid["file_id"]]
    root = etree.fromstring(xml.content)
    batch = root.find("p:CstmrCdtTrfInitn/p:PmtInf", PAIN)
    assert batch is not None
    assert batch.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=PAIN) == WURZEN_IBAN
    assert batch.findtext("p:NbOfTxs", namespaces=PAIN) == "1"
    assert batch.findtext("p:CtrlSum", namespaces=PAIN) == "10555.30"
    [transfer] = batch.findall("p:CdtTrfTxInf", PAIN)
    assert transfer.findtext("p:Amt/p:InstdAmt", namespaces=PAIN) == "10555.30"
    assert transfer.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=PAIN).startswith("DE")

    second = await post(suite, treasury, f"/api/v1/towns/{WURZEN}/einvoices/payment-file")
    assert (second.status_code, second.json()["transfers"]) == (200, [])
    late = await post(suite, dora, base + "/factual-approval")
    assert (late.status_code, late.json()["rule"]) == (409, "invoice_released")

    events = await invoice_events(log, invoice, 5)
    assert [type(e) for e in events] == [
        IncomingInvoiceReceived,
        InvoiceFactuallyApproved,
        InvoicePaymentOrdered,
        InvoiceCountersigned,
        InvoiceReleasedForPayment,
    ]
    order = events[2]
    assert isinstance(order, InvoicePaymentOrdered)
    assert order.model_dump(mode="json", exclude={"step"}) == {
        "invoice_id": invoice,
        "town": WURZEN,
        "amount": "10555.30",
        "threshold": "5000.00",
        "second_approval_required": True,
    }
    assert (order.step.by_town, order.step.on_behalf_of, order.step.by_name) == (
        AUGUSTUSBURG,
        WURZEN,
        "Bernd Anordnung",
    )
    release = events[4]
    assert isinstance(release, InvoiceReleasedForPayment)
    assert (str(release.file_id), str(release.amount)) == (paid["file_id"], "10555.30")

    filed = await filed_in_archive(suite, invoice)
    assert filed["file_reference"].startswith("20.31.01/")
    assert (filed["parts"], filed["valid"], filed["missing_parts"]) == (5, True, [])


@pytest.mark.usefixtures("delegated")
async def test_a_rejected_invoice_s_supplier_gets_the_reasons_by_mail(
    stack: Stack, issuer: DevIssuer
) -> None:
    suite, _, smtp = stack
    invoice = await received(suite, issuer, "01.01a-INVOICE_ubl.xml")  # seller@email.de
    base = f"/api/v1/towns/{WURZEN}/einvoices/{invoice}"
    clerk = person(issuer, WURZEN, "Wilma Wurzen")
    reasons = ["Die Leistung wurde nicht erbracht.", "Der Preis weicht vom Angebot ab."]
    empty = await post(suite, clerk, base + "/rejection", {"reasons": []})
    assert empty.status_code == 422
    rejected = await post(suite, clerk, base + "/rejection", {"reasons": reasons})
    assert rejected.status_code == 200, rejected.text
    view = rejected.json()
    assert (view["status"], view["rejection_notice"], view["rejection_reasons"]) == (
        "rejected",
        "mail",
        reasons,
    )
    for _ in range(300):
        mails = [m for m in smtp.mailbox.messages if m["To"] == "seller@email.de"]
        if mails:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("no rejection mail to the supplier")
    [mail] = mails
    assert mail["Subject"].startswith("Rechnung ")
    assert "zurückgewiesen" in mail["Subject"]
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert "- Die Leistung wurde nicht erbracht.\n- Der Preis weicht vom Angebot ab." in text
    late = await post(
        suite, person(issuer, AUGUSTUSBURG, "Clara Auftrag"), base + "/factual-approval"
    )
    assert (late.status_code, late.json()["rule"]) == (409, "invoice_rejected")
    filed = await filed_in_archive(suite, invoice)
    assert (filed["parts"], filed["valid"]) == (2, True)


@pytest.mark.usefixtures("delegated")
async def test_two_clerks_at_once_one_wins_the_other_is_told_why(
    stack: Stack, issuer: DevIssuer
) -> None:
    suite = stack[0]
    invoice = await received(suite, issuer, "01.07a-INVOICE_ubl.xml")
    path = f"/api/v1/towns/{WURZEN}/einvoices/{invoice}/factual-approval"
    answers = await asyncio.gather(
        post(suite, person(issuer, WURZEN, "Wilma Wurzen"), path),
        post(suite, person(issuer, AUGUSTUSBURG, "Clara Auftrag"), path),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    [lost] = [a for a in answers if a.status_code == 409]
    assert (
        lost.json()["detail"] == "Die sachliche Richtigkeit dieser Rechnung ist bereits bestätigt."
    )


@pytest.mark.usefixtures("delegated")
async def test_a_due_date_near_is_announced_once_to_the_town_s_desk(
    stack: Stack, issuer: DevIssuer
) -> None:
    suite, log, smtp = stack
    invoice = await received(suite, issuer, "01.08a-INVOICE_ubl.xml")  # due 2016: long past
    events = await invoice_events(log, invoice, 2)
    near = [e for e in events if isinstance(e, InvoiceDeadlineNear)]
    assert [(e.kind, e.town, e.invoice_id) for e in near] == [("due", WURZEN, UUID(invoice))]
    desk = "sachbearbeitung@wurzen.rathauscloud.example"  # deploy/members/14729410-wurzen.toml
    number = near[0].invoice_number
    for _ in range(300):
        mails = [m for m in smtp.mailbox.messages if m["To"] == desk and number in m["Subject"]]
        if mails:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("no deadline mail to Wurzen's desk")
    assert mails[0]["Subject"].startswith(f"Fälligkeit am {near[0].deadline:%d.%m.%Y}")
    await asyncio.sleep(1.5)  # three more rounds of the timer (0.5 s each): nothing again
    assert (
        len(
            [e for e in await invoice_events(log, invoice, 2) if isinstance(e, InvoiceDeadlineNear)]
        )
        == 1
    )
