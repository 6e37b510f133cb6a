"""A whole case of Wurzen in the logs, as intake, casework and billing would write it — for the
tests of what archive does with filed cases (chain heads, disposal)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.events.billing import FeeAssessed
from contracts.events.casework import CaseClosed, CaseOpened, DecisionDocumentIssued, DocumentRef
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Service
from contracts.values import Contact
from runtime.documents import object_name, store_once
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
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
