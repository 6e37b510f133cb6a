"""A whole case of Wurzen in the logs, as intake, casework and billing would write it — for the
tests of what archive does with filed cases (chain heads, disposal) — and an incoming invoice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.events.billing import FeeAssessed
from contracts.events.casework import CaseClosed, CaseOpened, DecisionDocumentIssued, DocumentRef
from contracts.events.einvoices import (
    IncomingInvoiceReceived,
    PaymentAccount,
    SellerContact,
    data_key_of,
)
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Service
from contracts.values import Contact
from runtime.documents import object_name, store_once
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN
from tests.support.runtime import connected_runtime

AT = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)


async def file_a_case(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    procedure: str = "gewerbeanmeldung",
    documents: Mapping[str, bytes] | None = None,
    *,
    case_number: str | None = None,
    tracking_digest: str | None = None,
    issued: bool = False,
) -> UUID:
    """Append a whole Wurzen case's events, as intake, casework and billing would (the
    applicant Hedwig Quirinus), with ``documents`` stored for it in the object store.

    ``case_number`` and ``tracking_digest`` go into its ``ApplicationSubmitted``; ``issued``
    makes each document a decision letter casework issued (``DecisionDocumentIssued``), so
    the file's inspection lists it."""
    case_id = new_id()
    cause = Cause(actor="test", correlation_id=case_id)
    letters: list[Any] = []
    writers = {
        service: await connected_runtime(service, nats_url, namespace, await new_database())
        for service in (Service.INTAKE, Service.CASEWORK, Service.BILLING)
    }
    try:
        key = await writers[Service.INTAKE].keys.create(str(case_id))
        for filename, content in (documents or {}).items():
            name = object_name(str(case_id), filename)
            stored = await store_once(writers[Service.INTAKE].attachments, name, content, key)
            if issued:
                letters.append(
                    DecisionDocumentIssued(
                        case_id=case_id,
                        document=DocumentRef(
                            object_name=name,
                            filename=filename,
                            content_type="application/pdf",
                            size=stored.size,
                            sha256=stored.sha256,
                        ),
                        issued_at=AT,
                    )
                )
        parts: list[tuple[Service, str, list[Any], str | None]] = [
            (
                Service.INTAKE,
                "application",
                [
                    ApplicationSubmitted(
                        application_id=case_id,
                        procedure=procedure,
                        form_version=1,
                        submitted_at=AT,
                        contact=Contact(name="Hedwig Quirinus", email="hq@example.org"),
                        form={},
                        case_number=case_number,
                        tracking_digest=tracking_digest,
                    )
                ],
                str(case_id),
            ),
            (
                Service.CASEWORK,
                "case",
                [
                    CaseOpened(
                        case_id=case_id,
                        application_id=case_id,
                        procedure=procedure,
                        competent_town=WURZEN,
                        processing_towns=[WURZEN],
                        opened_at=AT,
                    ),
                    *letters,
                    CaseClosed(case_id=case_id, closed_at=AT),
                ],
                None,
            ),
            (
                Service.BILLING,
                "fee",
                [
                    FeeAssessed(
                        case_id=case_id,
                        procedure=procedure,
                        amount=Decimal("26.00"),
                        cash_reference=f"{WURZEN}-2026-000001",
                        due_date=date(2026, 12, 20),
                        assessed_at=AT,
                    )
                ],
                None,
            ),
        ]
        for service, kind, events, data_key in parts:
            await writers[service].store.append(
                AggregateRef(service, WURZEN, kind, str(case_id)),
                events,
                expected_seq=0,
                cause=cause,
                data_key=data_key,
            )
    finally:
        for writer in writers.values():
            await writer.stop()
    return case_id


async def an_incoming_invoice(
    writer: Runtime,
    *,
    iban: str,
    contact_email: str,
    original: bytes = b"<Invoice>Rechnung 2026-117</Invoice>",
) -> UUID:
    """Append an incoming invoice to Wurzen, as billing would write it: its original and report
    stored under the invoice's own key, its seller's contact and account sealed with it.

    It came in a second time (``duplicate_of``), so its processing has ended with its receipt
    and archive files it at once."""
    invoice_id = new_id()
    data_key = data_key_of(invoice_id)
    key = await writer.keys.create(data_key)
    refs = {}
    for filename, content, content_type in (
        ("rechnung.xml", original, "application/xml"),
        ("pruefbericht.html", b"<p>Geprueft</p>", "text/html"),
    ):
        name = object_name(data_key, filename)
        stored = await store_once(writer.attachments, name, content, key)
        refs[filename] = DocumentRef(
            object_name=name,
            filename=filename,
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
        )
    received = IncomingInvoiceReceived(
        invoice_id=invoice_id,
        channel="api",
        town=WURZEN,
        leitweg_id=f"{WURZEN}-12345-67",
        received_at=AT,
        original=refs["rechnung.xml"],
        report=refs["pruefbericht.html"],
        kind="xml",
        syntax="ubl-invoice",
        type_code="380",
        invoice_number="2026-117",
        issue_date=AT.date(),
        currency="EUR",
        seller_name="Malerbetrieb Quast",
        seller_contact=SellerContact(email=contact_email),
        buyer_name="Stadt Wurzen",
        line_total=Decimal("100.00"),
        tax_exclusive=Decimal("100.00"),
        tax_total=Decimal("19.00"),
        tax_inclusive=Decimal("119.00"),
        payable=Decimal("119.00"),
        payment_account=PaymentAccount(iban=iban),
        rules="test",
        duplicate_of=new_id(),
    )
    await writer.store.append(
        AggregateRef(Service.BILLING, WURZEN, "incoming-invoice", str(invoice_id)),
        [received],
        expected_seq=0,
        cause=Cause(actor="test", correlation_id=invoice_id),
        data_key=data_key,
    )
    return invoice_id
