"""Erasure: once a case's key is destroyed, none of its personal data is readable anywhere."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence
from uuid import UUID

import asyncpg
import httpx
import nats
import pytest
from nats.aio.client import Client as NatsClient
from nats.js.errors import NotFoundError

from contracts.events.einvoices import data_key_of
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Namespace, Service
from runtime.codec import EventCodec
from runtime.datakeys import DataKeyStore
from runtime.settings import DEV_KEK
from runtime.streams import key_bucket_stream
from tests.conftest import DatabaseFactory
from tests.e2e.test_case_letters import wait_for_mail
from tests.e2e.test_fee_notices import E_INVOICE, INVOICE_INBOX, offer_form_version_3
from tests.support.applications import WURZEN, gewerbeanmeldung, upload
from tests.support.filed_cases import an_incoming_invoice
from tests.support.inspection import all_messages, database_text, stream_messages
from tests.support.mail import SmtpServer
from tests.support.runtime import connected_runtime
from tests.support.suite import SERVICES, Suite
from tests.unit.contracts.test_gewerbeanmeldung_v2 import v2

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"
KEY = {"Idempotency-Key": "erasure-e2e"}
PERSONAL_DATA = (
    "Quirinus-Zwetschgenbaum",
    "hedwig.quirinus@example.org",
    "1988-04-12",
    "Jacobsplatz 5",
    "+49 3425 123456",
)
ATTACHMENT_MARKER = b"Personalausweis-Kopie von Hedwig"


async def fresh_codec(nats_url: str, ns: Namespace) -> tuple[EventCodec, NatsClient]:
    """A codec with an empty key cache, as a newly started service would have."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    keys = DataKeyStore(js, ns.key_bucket(), key_bucket_stream(ns), base64.b64decode(DEV_KEK))
    return EventCodec(keys), nc


async def personal_values(nats_url: str, ns: Namespace, case_id: UUID) -> list[object]:
    """Every personal field value of the case's events, decoded from the log."""
    codec, nc = await fresh_codec(nats_url, ns)
    try:
        values: list[object] = []
        for msg in await all_messages(nc.jetstream(), ns):
            for envelope in await codec.decode(msg.data):
                if envelope.meta.data_key == str(case_id):
                    values += [getattr(envelope.event, f) for f in envelope.event.personal_fields()]
        return values
    finally:
        await nc.close()


async def wait_until(check, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.1)


@pytest.mark.timeout(180)
async def test_after_erasure_no_personal_datum_can_be_read_anywhere(
    suite: Suite, smtp: SmtpServer, nats_url: str, namespace: str, operator_token: str
) -> None:
    ns = Namespace(namespace)
    pdf = b"%PDF-1.4\n" + ATTACHMENT_MARKER + b"\n%%EOF\n"
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
        uploaded = await upload(
            client, WURZEN, "gewerbeanmeldung", KEY["Idempotency-Key"], pdf, "ausweis.pdf"
        )
        assert uploaded.status_code == 201, uploaded.text
        body = gewerbeanmeldung(attachments=[uploaded.json()["attachment_id"]])
        accepted = (await client.post(APPLY, json=body, headers=KEY)).json()
        case_id = UUID(accepted["application_id"])

        async def filed_and_mailed() -> bool:
            status = (await client.get(accepted["status_url"])).json()
            steps = {line["step"] for line in status.get("timeline", [])}
            # The fee notice mailed: its PDF is in the object store, sealed with the case's key.
            return {"filed", "message:acknowledgement", "message:fee_notice"} <= steps

        await wait_until(filed_and_mailed)

        # Before: the personal data is there, readable with the key (so the test can fail).
        before = await personal_values(nats_url, ns, case_id)
        assert any(getattr(v, "name", None) == "Hedwig Quirinus-Zwetschgenbaum" for v in before)
        casework_before = await database_text(suite.database_urls["casework"])
        assert "Quirinus-Zwetschgenbaum" in casework_before

        await request_erasure(suite, case_id, operator_token)

        async def everyone_saw_it() -> bool:
            status = (await client.get(accepted["status_url"])).json()
            steps = {line["step"] for line in status.get("timeline", [])}
            casework = await database_text(suite.database_urls["casework"])
            return "erased" in steps and "Quirinus-Zwetschgenbaum" not in casework

        await wait_until(everyone_saw_it)

        # The same application sent again must not bring its data back under the old key:
        # a clear 409, and nothing stored (the checks below would find it).
        again = await client.post(APPLY, json=body, headers=KEY)
        assert again.status_code == 409, again.text
        assert "inzwischen gelöscht" in again.json()["detail"]

    # The log still replays, but every personal field of the case reads as erased.
    after = await personal_values(nats_url, ns, case_id)
    assert after
    assert all(value is None for value in after)

    await assert_in_no_stream_and_no_database(suite, nats_url, ns, PERSONAL_DATA)
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        # No key left in the bucket, no attachment, letter or fee notice left in the object store.
        key_messages = [
            msg
            for msg in await stream_messages(js, key_bucket_stream(ns))
            if msg.subject.endswith(str(case_id))
        ]
        assert [msg.data for msg in key_messages] == [b""]  # only the tombstone is left
        objects = await stream_messages(js, f"OBJ_{ns.attachment_bucket()}")
        assert not any(ATTACHMENT_MARKER in msg.data for msg in objects)
    finally:
        await nc.close()
    assert await stored_objects(nats_url, ns, case_id) == []


@pytest.mark.timeout(180)
async def test_after_erasure_no_datum_of_a_business_s_xrechnung_can_be_read_anywhere(
    suite: Suite, smtp: SmtpServer, nats_url: str, namespace: str, operator_token: str
) -> None:
    """A business asked for its fee as an XRechnung: the invoice billing made and notify sent
    (an XML in the object store, sealed with the case's key) goes with the erasure too."""
    ns = Namespace(namespace)
    buyer = (str(E_INVOICE["buyer_name"]), INVOICE_INBOX)
    await offer_form_version_3(suite, operator_token)
    form = v2() | {"e_invoice_wanted": True, "e_invoice": E_INVOICE}
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
        answer = await client.post(
            APPLY,
            json={"form": form, "attachments": []},
            headers={"Idempotency-Key": "erasure-xrechnung"},
        )
        assert answer.status_code == 201, answer.text
        case_id = UUID(answer.json()["application_id"])
        await wait_for_mail(smtp, INVOICE_INBOX, "E-Rechnung ", timeout=90)

        # Before: the buyer is in the log, readable with the key; the invoice is stored.
        before = await personal_values(nats_url, ns, case_id)
        assert any(buyer[0] in str(value) for value in before)
        assert await stored_objects(nats_url, ns, case_id) != []

        await request_erasure(suite, case_id, operator_token)

        async def erased_and_gone() -> bool:
            status = (await client.get(answer.json()["status_url"])).json()
            steps = {line["step"] for line in status.get("timeline", [])}
            # Casework applies the erasure in a runner of its own, which may come later.
            casework = await database_text(suite.database_urls["casework"])
            return (
                "erased" in steps
                and buyer[1] not in casework
                and await stored_objects(nats_url, ns, case_id) == []
            )

        await wait_until(erased_and_gone, timeout=60)

    assert all(value is None for value in await personal_values(nats_url, ns, case_id))
    await assert_in_no_stream_and_no_database(suite, nats_url, ns, buyer)


@pytest.mark.timeout(180)
async def test_after_erasure_no_datum_of_an_incoming_invoice_can_be_read_anywhere(
    suite: Suite,
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    operator_token: str,
) -> None:
    """An incoming invoice's file is erased (as its disposal does) with the invoice's own key:
    its original and report leave the object store, and billing forgets the account to pay."""
    ns = Namespace(namespace)
    supplier = ("DE02120300000000202051", "inhaber@malerbetrieb-quast.example")
    billing = await connected_runtime(Service.BILLING, nats_url, namespace, await new_database())
    try:
        invoice_id = await an_incoming_invoice(billing, iban=supplier[0], contact_email=supplier[1])
    finally:
        await billing.stop()
    archive = await asyncpg.connect(suite.database_urls["archive"])
    try:

        async def filed_and_listed() -> bool:
            filed = await archive.fetchval(
                "SELECT filed FROM rm_case_records.case_status WHERE case_id = $1", invoice_id
            )
            return bool(filed) and supplier[0] in await database_text(
                suite.database_urls["billing"]
            )

        await wait_until(filed_and_listed)
    finally:
        await archive.close()
    assert len(await stored_objects(nats_url, ns, invoice_id)) == 2

    await request_erasure(suite, invoice_id, operator_token)

    async def erased_and_gone() -> bool:
        billing_text = await database_text(suite.database_urls["billing"])
        return supplier[0] not in billing_text and not await stored_objects(
            nats_url, ns, invoice_id
        )

    await wait_until(erased_and_gone, timeout=60)
    await assert_in_no_stream_and_no_database(suite, nats_url, ns, supplier)
    nc = await nats.connect(nats_url)
    try:
        key_messages = [
            msg
            for msg in await stream_messages(nc.jetstream(), key_bucket_stream(ns))
            if msg.subject.endswith(data_key_of(invoice_id))
        ]
        assert key_messages
        assert key_messages[-1].data == b""  # the invoice's key: destroyed
    finally:
        await nc.close()


async def assert_in_no_stream_and_no_database(
    suite: Suite, nats_url: str, ns: Namespace, data: Sequence[str]
) -> None:
    """None of ``data`` is in any stream's stored bytes or in any service's database."""
    nc = await nats.connect(nats_url)
    try:
        raw = b"".join(msg.data for msg in await all_messages(nc.jetstream(), ns))
    finally:
        await nc.close()
    for datum in data:
        assert datum.encode() not in raw
    for name in SERVICES:
        text = await database_text(suite.database_urls[name])
        for datum in data:
            assert datum not in text, f"{datum!r} still in {name}'s database"


async def request_erasure(suite: Suite, case_id: UUID, operator_token: str) -> None:
    """An operator asks archive to erase the case's personal data (accepted: 202)."""
    async with httpx.AsyncClient(base_url=suite.url("archive")) as archive:
        response = await archive.post(
            "/api/v1/erasures",
            json={"case_id": str(case_id), "reason": "Test der Löschung"},
            headers={"Authorization": f"Bearer {operator_token}"},
        )
    assert response.status_code == 202, response.text


async def stored_objects(nats_url: str, ns: Namespace, case_id: UUID) -> list[str]:
    """The names of the case's objects (attachments, letters, notices, invoices) still stored."""
    nc = await nats.connect(nats_url)
    try:
        store = await nc.jetstream().object_store(ns.attachment_bucket())
        try:
            listed = await store.list(ignore_deletes=True)
        except NotFoundError:  # nats-py's answer for an empty store
            listed = []
        return [info.name for info in listed if str(case_id) in (info.name or "")]
    finally:
        await nc.close()


def test_the_submitted_event_marks_what_is_personal() -> None:
    assert ApplicationSubmitted.personal_fields() == {
        "contact",
        "form",
        "attachments",
        "tracking_url",
    }
