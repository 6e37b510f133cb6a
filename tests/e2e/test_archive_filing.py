"""Archive files a case only when its record is whole, in whatever order the parts arrive."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from contracts.events.archive import AddendumFiled, CaseFiled, FilingPlanAdopted
from contracts.events.billing import FeeAssessed
from contracts.events.casework import CaseClosed, CaseOpened
from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import MessageBounced
from contracts.naming import Service
from contracts.values import Contact
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from services.archive.aggregates import addendum_ref, file_ref
from services.archive.filing_plans import plan_ref
from tests.conftest import DatabaseFactory
from tests.e2e.conftest import StartAlone
from tests.support.applications import AUGUSTUSBURG, WURZEN
from tests.support.filed_cases import file_a_case
from tests.support.polling import get_once_there
from tests.support.runtime import connected_runtime

AT = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)


async def applied_up_to(archive: httpx.AsyncClient, source: str, seq: int) -> None:
    """Wait until archive's case records have seen ``source``'s stream up to ``seq``."""
    for _ in range(300):
        runners = (await archive.get("/readyz")).json()["projections"]
        [runner] = [r for name, r in runners.items() if name == f"case-records<-{source}"]
        if runner["last_seq"] >= seq:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"archive did not reach {source} {seq}: {runners}")


async def test_the_submission_arriving_last_is_still_in_the_file(
    nats_url: str, namespace: str, new_database: DatabaseFactory, start_alone: StartAlone
) -> None:
    suite = await start_alone("archive")
    writers = {
        service: await connected_runtime(service, nats_url, namespace, await new_database())
        for service in (Service.INTAKE, Service.CASEWORK, Service.BILLING)
    }
    case_id = new_id()
    cause = Cause(actor="test", correlation_id=case_id)

    async def append(service: Service, kind: str, *events: Any, data_key: str | None = None) -> int:
        ref = AggregateRef(service, WURZEN, kind, str(case_id))
        result = await writers[service].store.append(
            ref, list(events), expected_seq=0, cause=cause, data_key=data_key
        )
        return result.stream_seq

    try:
        operator = suite.operator_headers()  # for /readyz's details
        async with httpx.AsyncClient(
            base_url=suite.url("archive"), timeout=10, headers=operator
        ) as archive:
            opened = CaseOpened(
                case_id=case_id,
                application_id=case_id,
                procedure="gewerbeanmeldung",
                competent_town=WURZEN,
                processing_towns=[WURZEN],
                opened_at=AT,
            )
            seq = await append(
                Service.CASEWORK, "case", opened, CaseClosed(case_id=case_id, closed_at=AT)
            )
            await applied_up_to(archive, writers[Service.CASEWORK].ns.stream(Service.CASEWORK), seq)
            fee = FeeAssessed(
                case_id=case_id,
                procedure="gewerbeanmeldung",
                amount=Decimal("26.00"),
                cash_reference=f"{WURZEN}-2026-000001",
                due_date=date(2026, 12, 20),
                assessed_at=AT,
            )
            seq = await append(Service.BILLING, "fee", fee)
            await applied_up_to(archive, writers[Service.BILLING].ns.stream(Service.BILLING), seq)
            # Closed and paid, but the application itself has not arrived: nothing is filed.
            assert (await archive.get(f"/api/v1/files/{case_id}")).status_code == 404

            await writers[Service.INTAKE].keys.create(str(case_id))
            submitted = ApplicationSubmitted(
                application_id=case_id,
                procedure="gewerbeanmeldung",
                form_version=1,
                submitted_at=AT,
                contact=Contact(name="Hedwig Quirinus", email="hedwig.quirinus@example.org"),
                form={},
            )
            await append(Service.INTAKE, "application", submitted, data_key=str(case_id))
            record = (await get_once_there(archive, f"/api/v1/files/{case_id}")).json()
            assert record["valid"] is True, record
            assert record["parts"] == 3  # submission, case, fee
            assert record["file_reference"].startswith("32.10.01/")  # the plan's position
    finally:
        for writer in writers.values():
            await writer.stop()


async def test_each_town_s_filing_plan_is_adopted_into_the_log_at_start(
    nats_url: str, namespace: str, new_database: DatabaseFactory, start_alone: StartAlone
) -> None:
    await start_alone("archive")
    log = await connected_runtime(Service.ARCHIVE, nats_url, namespace, await new_database())
    try:
        for _ in range(100):  # the outbox publishes what the start-up hook recorded
            wurzen = await log.store.load(plan_ref(WURZEN))
            augustusburg = await log.store.load(plan_ref(AUGUSTUSBURG))
            if wurzen.events and augustusburg.events:
                break
            await asyncio.sleep(0.1)
    finally:
        await log.stop()
    [adopted] = [envelope.event for envelope in wurzen.events]
    assert isinstance(adopted, FilingPlanAdopted)
    assert adopted.positions["maengelmelder"].model_dump() == {
        "code": "66.30.05",
        "retention_years": 3,
    }
    assert adopted.positions["gewerbeanmeldung"].code == "32.10.01"
    [other] = [envelope.event for envelope in augustusburg.events]
    assert isinstance(other, FilingPlanAdopted)
    assert other.positions["maengelmelder"].code == "66.30.01"  # the default


async def test_what_arrives_after_the_filing_is_filed_as_addenda_and_verified(
    nats_url: str, namespace: str, new_database: DatabaseFactory, start_alone: StartAlone
) -> None:
    """A bounce reported after the file was sealed becomes its first addendum, linked to the
    record, which stays as it was; a changed addendum is found."""
    suite = await start_alone("archive")
    case_id = await file_a_case(nats_url, namespace, new_database)
    notify = await connected_runtime(Service.NOTIFY, nats_url, namespace, await new_database())
    try:
        async with httpx.AsyncClient(
            base_url=suite.url("archive"), timeout=10, headers=suite.operator_headers()
        ) as archive:
            filed = (await get_once_there(archive, f"/api/v1/files/{case_id}")).json()
            assert filed["addenda"]["count"] == 0
            bounced = MessageBounced(
                message_id=new_id(),
                case_id=case_id,
                template="acknowledgement",
                status="5.1.1",
                diagnostic="550 5.1.1 user unknown",
                final_recipient="hq@example.org",
                bounced_at=datetime.now(UTC),
            )
            ref = AggregateRef(Service.NOTIFY, WURZEN, "message", str(bounced.message_id))
            cause = Cause(actor="test", correlation_id=case_id)
            await notify.store.append(
                ref, [bounced], expected_seq=0, cause=cause, data_key=str(case_id)
            )
            for _ in range(300):
                verified = (await archive.get(f"/api/v1/files/{case_id}")).json()
                if verified["addenda"]["count"]:
                    break
                await asyncio.sleep(0.1)
            db = await asyncpg.connect(suite.database_urls["archive"])
            try:
                await db.execute(
                    "UPDATE rm_case_records.file_addenda SET addendum_hash = $1 WHERE case_id = $2",
                    "0" * 64,
                    case_id,
                )
            finally:
                await db.close()
            tampered = (await archive.get(f"/api/v1/files/{case_id}")).json()
        history = await notify.store.load(file_ref(WURZEN, case_id))
        addenda = await notify.store.load(addendum_ref(WURZEN, case_id))
    finally:
        await notify.stop()

    assert verified["valid"] is True, verified
    assert verified["addenda"]["count"] == 1
    [item] = verified["addenda"]["items"]
    assert (item["number"], item["event_types"]) == (1, ["notify.MessageBounced"])
    assert verified["record_hash"] == filed["record_hash"]  # the record itself is unchanged
    assert tampered["valid"] is False
    assert tampered["addenda"]["problems"] == ["addendum 1 does not match the log"]
    assert [type(envelope.event) for envelope in history.events] == [CaseFiled]
    assert [type(envelope.event) for envelope in addenda.events] == [AddendumFiled]
