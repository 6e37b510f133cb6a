"""A clerk's steps on a case, appended to casework's stream as casework appends them.

The applicant's side is tested without signing a clerk in: a runtime connected as casework
appends what a clerk's action would (a request for information, a decision with its letter
and dispatch) to the case's aggregate, with the first application's data key, and the suite's
services take it from there like any other event.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import today
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    Clerk,
    DecisionDispatched,
    DecisionDocumentIssued,
    DocumentRef,
    InformationRequested,
)
from contracts.naming import Service
from runtime.documents import seal_document
from runtime.eventstore import AggregateRef, Cause, ConcurrencyConflict
from runtime.ids import new_id
from runtime.service import Runtime
from tests.support.applications import WURZEN
from tests.support.runtime import connected_runtime

CLERK = Clerk(id="test-clerk", name="Sachbearbeitung Test", town=WURZEN)
LETTER = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
"""A decision letter, as far as a browser's download is concerned."""


@dataclass
class CaseDesk:
    """Appends to cases in casework's stream, as casework does."""

    runtime: Runtime
    tenant: str = WURZEN

    def ref(self, case_id: UUID) -> AggregateRef:
        """The case's aggregate (casework's ``case_ref``)."""
        return AggregateRef(Service.CASEWORK, self.tenant, "case", str(case_id))

    async def opened(self, case_id: UUID, timeout: float = 30.0) -> None:
        """Wait until casework has opened the case (its first commit)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (await self.runtime.store.load(self.ref(case_id))).events:
            assert asyncio.get_running_loop().time() < deadline, f"case {case_id} not opened"
            await asyncio.sleep(0.1)

    async def append(self, case_id: UUID, key: UUID, *events: DomainEvent) -> None:
        """Append ``events`` to the case, sealed with the application's key ``key``."""
        for _ in range(10):
            loaded = await self.runtime.store.load(self.ref(case_id))
            try:
                await self.runtime.store.append(
                    self.ref(case_id),
                    list(events),
                    expected_seq=loaded.last_seq,
                    cause=Cause(actor=f"clerk:{CLERK.id}@{CLERK.town}", correlation_id=new_id()),
                    data_key=str(key),
                )
                return
            except ConcurrencyConflict:
                await asyncio.sleep(0.05)  # casework appended meanwhile
        raise AssertionError(f"could not append to case {case_id}")

    async def ask(self, case_id: UUID, question: str, key: UUID | None = None) -> UUID:
        """A clerk's request for information, due in two weeks; its id."""
        request_id = new_id()
        asked = InformationRequested(
            case_id=case_id,
            request_id=request_id,
            question=question,
            due=today() + timedelta(days=14),
            by=CLERK,
            requested_at=datetime.now(UTC),
        )
        await self.append(case_id, key or case_id, asked)
        return request_id

    async def decide(
        self,
        case_id: UUID,
        outcome: Literal["approved", "rejected"],
        *,
        key: UUID | None = None,
        procedure: str = "hundesteuer-anmeldung",
        known_on: date | None = None,
    ) -> DocumentRef:
        """A clerk's decision, the case closed, its letter stored and dispatched."""
        data_key = key or case_id
        now = datetime.now(UTC)
        decided = CaseDecided(
            case_id=case_id,
            procedure=procedure,
            outcome=outcome,
            decided_by=f"clerk:{CLERK.id}@{CLERK.town}",
            on_behalf_of=self.tenant,
            rule_outcomes=[],
            reasons=[] if outcome == "approved" else ["Die Angaben reichen nicht aus."],
            decided_at=now,
            clerk=CLERK,
        )
        await self.append(case_id, data_key, decided, CaseClosed(case_id=case_id, closed_at=now))
        document = await self.store_letter(case_id, data_key)
        dispatched = DecisionDispatched(
            case_id=case_id, dispatched_at=now, known_on=known_on or today() + timedelta(days=3)
        )
        issued = DecisionDocumentIssued(case_id=case_id, document=document, issued_at=now)
        await self.append(case_id, data_key, issued, dispatched)
        return document

    async def store_letter(self, case_id: UUID, key: UUID) -> DocumentRef:
        """The letter, sealed with the application's key, under its prefix."""
        name = f"{key}/bescheid-{case_id}.pdf"
        data_key = await self.runtime.keys.get(str(key))
        assert data_key is not None
        await self.runtime.attachments.put(name, seal_document(LETTER, data_key, name))
        return DocumentRef(
            object_name=name,
            filename="Bescheid Hundesteuer.pdf",
            content_type="application/pdf",
            size=len(LETTER),
            sha256=hashlib.sha256(LETTER).hexdigest(),
        )

    async def letters(self, case_id: UUID) -> set[str]:
        """The SHA-256 of every letter issued on the case (casework may write its own)."""
        loaded = await self.runtime.store.load(self.ref(case_id))
        return {
            e.event.document.sha256
            for e in loaded.events
            if isinstance(e.event, DecisionDocumentIssued)
        }


@asynccontextmanager
async def case_desk(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[CaseDesk]:
    """A desk connected as casework to the test's NATS (its own database)."""
    runtime = await connected_runtime(Service.CASEWORK, nats_url, namespace, database_url)
    try:
        yield CaseDesk(runtime)
    finally:
        await runtime.stop()
