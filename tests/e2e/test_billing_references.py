"""A Kassenzeichen is never given twice, even when billing repeats work after a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import httpx

from contracts.events.casework import CaseDecided
from contracts.naming import Service
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from tests.conftest import DatabaseFactory
from tests.e2e.conftest import StartAlone
from tests.support.applications import WURZEN
from tests.support.polling import get_once_there
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite


async def decide(casework: Runtime) -> UUID:
    """A decided case in Wurzen, appended to casework's stream."""
    case_id = new_id()
    decided = CaseDecided(
        case_id=case_id,
        procedure="gewerbeanmeldung",
        outcome="approved",
        decided_by="automation",
        on_behalf_of=WURZEN,
        rule_outcomes=[],
        decided_at=datetime.now(UTC),
    )
    await casework.store.append(
        AggregateRef(Service.CASEWORK, WURZEN, "case", str(case_id)),
        [decided],
        expected_seq=0,
        cause=Cause(actor="test", correlation_id=case_id),
    )
    return case_id


async def cash_reference(billing: Suite, case_id: UUID) -> str:
    async with httpx.AsyncClient(base_url=billing.url("billing")) as client:
        fee = await get_once_there(client, f"/api/v1/fees/{case_id}")
    return str(fee.json()["cash_reference"])


async def test_a_redelivered_decision_is_not_assessed_again(
    nats_url: str, namespace: str, new_database: DatabaseFactory, start_alone: StartAlone
) -> None:
    suite = await start_alone("billing")
    billing_db = suite.database_urls["billing"]
    casework = await connected_runtime(Service.CASEWORK, nats_url, namespace, await new_database())
    try:
        first_case = await decide(casework)
        first = await cash_reference(suite, first_case)
        suite.stop()

        # As after a crash between the commit and the acknowledgement: the decision comes
        # again. The assessment, its number and its announcement were committed together.
        conn = await asyncpg.connect(billing_db)
        try:
            await conn.execute("UPDATE rm_fee_assessment.rc_checkpoint SET last_seq = 0")
        finally:
            await conn.close()

        suite.start(("billing",))
        second = await cash_reference(suite, await decide(casework))
        assert second != first
        assert second.endswith("-000002"), (first, second)
        # The first case was announced once, with its first number.
        fee = casework.store  # any runtime of the namespace can read billing's stream
        loaded = await fee.load(AggregateRef(Service.BILLING, WURZEN, "fee", str(first_case)))
        assert [e.meta.type for e in loaded.events] == ["billing.FeeAssessed"]
    finally:
        await casework.stop()
