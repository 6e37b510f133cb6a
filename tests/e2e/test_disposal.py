"""Disposal at the end of retention: offered to the state archive, handed over or destroyed.

archive runs alone on the run's NATS and a database of its own, with the timers' clock
4,000 days ahead — beyond the ten years of a trade registration and the five of a defect
report — and the local state archive (``devstack.state_archive``) behind
``ARCHIVE_STATE_ARCHIVE_URL``, which keeps the trade register's files and lets the rest go.
Three cases of Wurzen are filed from their events: a trade registration with a decision
letter in the object store, a defect report, and a second defect report under a legal hold.

One operator run offers the two free files (0501, receipt 0504), reads the appraisal back
(0502), hands the registration over as a schema-valid 0503 with its documents (0506
confirms), and destroys both: keys and stored documents gone, no personal datum readable,
a destruction record each — and the town's chain still verifies. The held file stays on the
list until its hold is lifted, then goes the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.js.errors import NotFoundError

from contracts.events.archive import FileDestroyed, PersonalDataErased
from contracts.events.einvoices import data_key_of
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Service
from devstack.state_archive import StateArchiveSimulator
from runtime.eventstore import AggregateRef
from services.archive.disposal import SCHEMA_IN_SHARED_DATA, schema_dir
from services.archive.domain import xdomea
from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN
from tests.support.filed_cases import an_incoming_invoice, file_a_case
from tests.support.issuer import DevIssuer
from tests.support.polling import get_once_there
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

LETTER = b"%PDF-1.7\n% Bescheid ueber die Gewerbeanmeldung\n"


@pytest.fixture
def state_archive() -> Any:
    schemas = schema_dir()
    assert schemas.parts[-3:] == SCHEMA_IN_SHARED_DATA.parts, schemas
    simulator = StateArchiveSimulator(schemas).start()
    yield simulator
    simulator.stop()


async def archive_alone(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    issuer: DevIssuer,
    tmp_path: Path,
    state_archive: StateArchiveSimulator,
) -> Suite:
    """archive started on its own, its timers' clock 4,000 days ahead, the simulator behind it."""
    clock = tmp_path / "clock"
    clock.write_text("+4000d")
    suite = Suite(
        nats_url=nats_url,
        database_urls={"archive": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
        extra_env={
            "RATHAUS_TEST_CLOCK_FILE": str(clock),
            "ARCHIVE_STATE_ARCHIVE_URL": state_archive.url,
        },
    )
    suite.start(("archive",))
    return suite


async def test_files_past_retention_are_handed_over_or_destroyed_and_a_hold_stops_it(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    issuer: DevIssuer,
    tmp_path: Path,
    state_archive: StateArchiveSimulator,
) -> None:
    suite = await archive_alone(nats_url, namespace, new_database, issuer, tmp_path, state_archive)
    try:
        kept = await file_a_case(
            nats_url, namespace, new_database, documents={"bescheid.pdf": LETTER}
        )
        dropped = await file_a_case(nats_url, namespace, new_database, "maengelmelder")
        held = await file_a_case(nats_url, namespace, new_database, "maengelmelder")
        operator = suite.operator_headers()
        async with httpx.AsyncClient(
            base_url=suite.url("archive"), timeout=60, headers=operator
        ) as archive:
            for case_id in (kept, dropped, held):
                await get_once_there(archive, f"/api/v1/files/{case_id}")
            listed = (await archive.get(f"/api/v1/towns/{WURZEN}/disposal")).json()
            hold = await archive.post(
                f"/api/v1/files/{held}/legal-hold", json={"reason": "Widerspruchsverfahren"}
            )
            again = await archive.post(
                f"/api/v1/files/{held}/legal-hold", json={"reason": "Widerspruchsverfahren"}
            )
            anonymous = await archive.post(
                f"/api/v1/towns/{WURZEN}/disposal", headers={"Authorization": ""}
            )
            first = (await archive.post(f"/api/v1/towns/{WURZEN}/disposal")).json()
            after_first = {
                row["case_id"]: row
                for row in (await archive.get(f"/api/v1/towns/{WURZEN}/disposal")).json()
            }
            chain = (await archive.get(f"/api/v1/towns/{WURZEN}/chain")).json()
            lifted = await archive.post(
                f"/api/v1/files/{held}/legal-hold/lift", json={"reason": "Verfahren beendet"}
            )
            second = (await archive.post(f"/api/v1/towns/{WURZEN}/disposal")).json()
    finally:
        suite.stop()

    assert {row["case_id"] for row in listed} == {str(kept), str(dropped), str(held)}
    assert {row["state"] for row in listed} == {"due"}
    assert (hold.status_code, again.status_code, anonymous.status_code) == (201, 409, 401)

    # The first run: two offered, the registration kept by the archive, both destroyed.
    assert sorted(first["offered"]) == sorted([str(kept), str(dropped)]), first
    assert first["appraised"] == {str(kept): "A", str(dropped): "V"}
    assert first["handed_over"] == [str(kept)]
    assert sorted(first["destroyed"]) == sorted([str(kept), str(dropped)])
    assert first["held"] == [str(held)]
    assert after_first[str(held)]["state"] == "due"
    assert after_first[str(held)]["hold_reason"] == "Widerspruchsverfahren"
    assert after_first[str(kept)]["state"] == after_first[str(dropped)]["state"] == "destroyed"

    # The handover: one schema-valid 0503 with the letter and the history, personal data open.
    [handover] = state_archive.handovers
    schema = xdomea.Schema(schema_dir())
    root = schema.check(handover.message, xdomea.HANDOVER)
    assert xdomea.offered_ids(root) == [kept]
    [letter] = [name for name in handover.documents if name.endswith("_bescheid.pdf")]
    assert handover.documents[letter] == LETTER
    [history] = [name for name in handover.documents if name.endswith("_Verlauf.xml")]
    assert "Hedwig Quirinus" in handover.documents[history].decode()
    assert root.findtext(f".//{{{xdomea.NS}}}Akte/{{{xdomea.NS}}}Typ") == "Verwaltungsverfahren"
    assert len(state_archive.offers) == 2  # the first run's and the second's
    assert not [o for o in state_archive.offers.values() if b"Hedwig" in o]  # metadata only

    # The chain keeps verifying with its destroyed files.
    assert (chain["files"], chain["valid"]) == (3, True), chain

    # The hold lifted: the second run offers and destroys the third file.
    assert lifted.status_code == 200
    assert second["offered"] == [str(held)], second
    assert second["destroyed"] == [str(held)], second

    reader = await connected_runtime(Service.ARCHIVE, nats_url, namespace, await new_database())
    try:
        for case_id in (kept, dropped, held):
            assert await reader.keys.get(str(case_id)) is None  # crypto-shredded
            application = await reader.store.load(
                AggregateRef(Service.INTAKE, WURZEN, "application", str(case_id))
            )
            [submitted] = application.events
            assert isinstance(submitted.event, ApplicationSubmitted)
            assert submitted.event.contact is None or submitted.event.contact.name is None
            disposal = await reader.store.load(
                AggregateRef(Service.ARCHIVE, WURZEN, "disposal-item", str(case_id))
            )
            [destroyed] = [e.event for e in disposal.events if isinstance(e.event, FileDestroyed)]
            assert destroyed.handed_over is (case_id == kept)
            erasure = await reader.store.load(
                AggregateRef(Service.ARCHIVE, WURZEN, "erasure", str(case_id))
            )
            assert isinstance(erasure.events[0].event, PersonalDataErased)
        try:
            objects = await reader.attachments.list(ignore_deletes=True)
        except NotFoundError:  # the store holds nothing any more
            objects = []
        assert not [o.name for o in objects if o.name and o.name.startswith(f"{kept}/")]
    finally:
        await reader.stop()


async def test_an_incoming_invoice_s_file_is_destroyed_with_its_own_key_and_documents(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    issuer: DevIssuer,
    tmp_path: Path,
    state_archive: StateArchiveSimulator,
) -> None:
    """An invoice is sealed with ``einvoice.<id>``, not with its id: its destruction must find
    that key and the original and report stored under it."""
    suite = await archive_alone(nats_url, namespace, new_database, issuer, tmp_path, state_archive)
    try:
        # intake's runtime sets up the key bucket (archive alone does not), as in file_a_case
        intake = await connected_runtime(Service.INTAKE, nats_url, namespace, await new_database())
        await intake.stop()
        billing = await connected_runtime(
            Service.BILLING, nats_url, namespace, await new_database()
        )
        try:
            invoice_id = await an_incoming_invoice(
                billing, iban="DE02120300000000202051", contact_email="quast@example.org"
            )
        finally:
            await billing.stop()
        async with httpx.AsyncClient(
            base_url=suite.url("archive"), timeout=60, headers=suite.operator_headers()
        ) as archive:
            await get_once_there(archive, f"/api/v1/files/{invoice_id}")
            run = (await archive.post(f"/api/v1/towns/{WURZEN}/disposal")).json()
    finally:
        suite.stop()

    assert run["destroyed"] == [str(invoice_id)], run
    reader = await connected_runtime(Service.ARCHIVE, nats_url, namespace, await new_database())
    try:
        assert await reader.keys.get(data_key_of(invoice_id)) is None  # crypto-shredded
        disposal = await reader.store.load(
            AggregateRef(Service.ARCHIVE, WURZEN, "disposal-item", str(invoice_id))
        )
        [destroyed] = [e.event for e in disposal.events if isinstance(e.event, FileDestroyed)]
        assert destroyed.documents_deleted == 2  # the original and the check's report
        try:
            objects = await reader.attachments.list(ignore_deletes=True)
        except NotFoundError:  # the store holds nothing any more
            objects = []
        assert not [o.name for o in objects if o.name and str(invoice_id) in o.name]
    finally:
        await reader.stop()
