"""Online payment through billing on real servers, with a provider simulator that signs its
callbacks like a real one.

A Gewerbeanmeldung in Wurzen is decided automatically and assessed 26,00 €. The citizen starts
a payment for its Kassenzeichen, is sent to the simulator's page and pays; the simulator calls
billing back, signed with Wurzen's key (from the variable Wurzen's member file names), and
billing books the 26,00 € once: one ``PaymentBooked`` on the fee's log, the claim settled.
Then what a real provider never sends, or sends twice: the same callback again (a replay),
one signed with another key (forged), one signed ten minutes ago (late), one for another
amount, and a duplicate with a fresh nonce — each refused, or applied without a second booking.
A payment the citizen cancels ends with ``OnlinePaymentFailed``; one paid whose callback never
came is learned, and booked, when its status is asked.

Both tests share one running suite and one simulator, each on its own payments.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from contracts.events.billing import OnlinePaymentStarted, PaymentBooked
from contracts.naming import Service
from devstack.payment_simulator import Delivery, PaymentSimulator
from runtime.eventstore import AggregateRef
from runtime.service import Runtime
from tests.e2e.test_case_letters import apply
from tests.e2e.test_fee_notices import assessed_fee, billing_log, fee_events
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.suite import ROOT, Suite

__all__ = ["billing_log"]  # the fixture, used here by name

KEY = secrets.token_urlsafe(32)
"""Wurzen's key at the provider, for this run (deploy/members: key_env)."""


@pytest.fixture(scope="module")
def simulator() -> Iterator[PaymentSimulator]:
    running = PaymentSimulator({WURZEN: KEY.encode()}).start()
    yield running
    running.stop()


def members_at(simulator: PaymentSimulator, folder: Path) -> Path:
    """The member files, their provider's address the simulator's."""
    shutil.copytree(ROOT / "deploy" / "members", folder)
    for file in folder.glob("*.toml"):
        text = file.read_text(encoding="utf-8")
        text = re.sub(r'^base_url = ".*"$', f'base_url = "{simulator.url}"', text, flags=re.M)
        file.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def shared_suite_env(
    simulator: PaymentSimulator, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The module's suite: Wurzen's provider is the simulator, with this run's key."""
    members = members_at(simulator, tmp_path_factory.mktemp("payment") / "members")
    return {"RATHAUS_MEMBERS_DIR": str(members), f"BILLING_PAYMENT_KEY_{WURZEN}": KEY}


@pytest.fixture
def namespace(shared_namespace: str) -> str:
    """The shared suite's namespace: ``billing_log`` reads billing's stream there."""
    return shared_namespace


async def started(client: httpx.AsyncClient, reference: str) -> dict[str, Any]:
    """A payment started, once the claim is in billing's read model."""
    for _ in range(300):
        answer = await client.post("/api/v1/payments", json={"cash_reference": reference})
        if answer.status_code == 201:
            body: dict[str, Any] = answer.json()
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"no payment started: {answer.status_code} {answer.text}")


async def claim(suite: Suite, reference: str, **wanted: Any) -> dict[str, Any]:
    """The claim's row, once it shows ``wanted``."""
    conn = await asyncpg.connect(suite.database_urls["billing"])
    try:
        for _ in range(300):
            row = await conn.fetchrow(
                "SELECT * FROM rm_claims.claims WHERE cash_reference = $1", reference
            )
            if row is not None and all(row[k] == v for k, v in wanted.items()):
                return dict(row)
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    raise AssertionError(f"claim {reference} never showed {wanted}")


def deliveries_of(simulator: PaymentSimulator, *payment_ids: str) -> list[Delivery]:
    """The callbacks the simulator sent about these payments."""
    return [d for d in simulator.deliveries if json.loads(d.body)["payment_id"] in payment_ids]


async def bookings(log: Runtime, case_id: str) -> list[PaymentBooked]:
    return [e for e in await fee_events(log, case_id) if isinstance(e, PaymentBooked)]


async def test_a_fee_paid_online_is_booked_once_whatever_the_provider_is_made_to_send(
    shared_suite: Suite, simulator: PaymentSimulator, billing_log: Runtime
) -> None:
    case_id = (await apply(shared_suite, "gewerbeanmeldung", gewerbeanmeldung()))["application_id"]
    reference = (await assessed_fee(shared_suite, case_id))["cash_reference"]
    billing = httpx.AsyncClient(base_url=shared_suite.url("billing"), timeout=30)
    citizen = httpx.AsyncClient(timeout=30)

    unknown = await billing.post("/api/v1/payments", json={"cash_reference": "0000-0000-0"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {
            "field": "cash_reference",
            "message": "Dieses Kassenzeichen ist uns nicht bekannt.",
            "type": "unknown_reference",
        }
    ]

    garbage = await billing.post("/api/v1/payments", json={"cash_reference": "\u0000'; --"})
    assert garbage.status_code == 422
    assert garbage.json()["errors"][0]["message"] == "Das Format stimmt nicht."

    payment = await started(billing, reference)
    assert payment["amount"] == "26.00"
    assert payment["redirect_url"].startswith(f"{simulator.url}/pay/sim_")
    # The simulator serves the module's other test too: this payment's order and callback.
    [order] = [p for p in simulator.payments.values() if p.payment_id == payment["payment_id"]]
    assert (order.merchant, order.reference, order.amount) == (WURZEN, reference, "26.00")
    assert (
        order.notification_url
        == f"{shared_suite.url('billing')}/api/v1/payments/callback/simulator"
    )

    # The citizen pays on the provider's page and comes back to billing.
    page = await citizen.get(payment["redirect_url"])
    assert "Bezahlen" in page.text
    assert "26.00 EUR" in page.text
    paid = await citizen.post(f"{payment['redirect_url']}?outcome=paid")
    assert paid.status_code == 303
    assert (
        paid.headers["location"]
        == f"{shared_suite.url('billing')}/api/v1/payments/{payment['payment_id']}"
    )
    [delivery] = deliveries_of(simulator, payment["payment_id"])
    assert delivery.status_code == 204
    status = (await billing.get(f"/api/v1/payments/{payment['payment_id']}")).json()
    assert (status["status"], status["redirect_url"]) == ("paid", None)

    settled = await claim(shared_suite, reference, paid=Decimal("26.00"))
    assert settled["settled_at"] is not None
    [booked] = await bookings(billing_log, case_id)
    assert booked.model_dump(exclude={"booked_at", "value_date"}) == {
        "case_id": booked.case_id,
        "cash_reference": reference,
        "booking_id": f"online:simulator:{order.provider_reference}",
        "kind": "payment",
        "amount": Decimal("26.00"),
        "currency": "EUR",
        "channel": "online",
        "matched_by": "provider",
        "booking_date": None,
        "account_iban": None,
        "statement_id": None,
        "entry": None,
        "bank_reference": None,
        "end_to_end_id": None,
        "provider_reference": order.provider_reference,
        "booked_by": None,
    }
    ref = AggregateRef(Service.BILLING, WURZEN, "online-payment", payment["payment_id"])
    [start] = [e.event for e in (await billing_log.store.load(ref)).events]
    assert isinstance(start, OnlinePaymentStarted)
    assert (start.cash_reference, start.amount, start.provider) == (
        reference,
        Decimal("26.00"),
        "simulator",
    )

    # What a provider is made to send: refused, or applied without booking again.
    callback = "/api/v1/payments/callback/simulator"
    ref_at = order.provider_reference
    replayed = await billing.post(callback, content=delivery.body, headers=delivery.headers)
    assert (replayed.status_code, replayed.json()["detail"]) == (
        400,
        "Diese Nachricht wurde bereits empfangen (Wiederholung) und wird verworfen.",
    )
    body, headers = simulator.signed_report(ref_at, key=b"the attacker's guess at the key")
    forged = await billing.post(callback, content=body, headers=headers)
    assert (forged.status_code, forged.json()["detail"]) == (
        401,
        "Die Signatur der Nachricht ist ungültig.",
    )
    body, headers = simulator.signed_report(ref_at, at=datetime.now(UTC) - timedelta(minutes=10))
    late = await billing.post(callback, content=body, headers=headers)
    assert late.status_code == 400
    assert "zu alt" in late.json()["detail"]
    body, headers = simulator.signed_report(ref_at, amount="260.00")
    other_amount = await billing.post(callback, content=body, headers=headers)
    assert (other_amount.status_code, other_amount.json()["detail"]) == (
        400,
        "Der Betrag weicht vom beauftragten Betrag ab.",
    )
    unsigned = await billing.post(callback, content=delivery.body)
    assert unsigned.status_code == 401
    duplicate = await billing.post(callback, content=body.replace(b"260.00", b"26.00"))
    assert duplicate.status_code == 401  # changed after signing: forged
    body, headers = simulator.signed_report(ref_at)
    assert (await billing.post(callback, content=body, headers=headers)).status_code == 204

    # A paid claim cannot be started again; nothing was booked twice.
    again = await billing.post("/api/v1/payments", json={"cash_reference": reference})
    assert again.status_code == 422
    assert again.json()["errors"][0]["type"] == "settled"
    await asyncio.sleep(1)  # time for a second booking to reach the log, were there one
    assert len(await bookings(billing_log, case_id)) == 1
    assert (await claim(shared_suite, reference))["paid"] == Decimal("26.00")
    await billing.aclose()
    await citizen.aclose()


async def test_a_cancelled_payment_ends_and_a_lost_callback_is_made_good_by_the_status_query(
    shared_suite: Suite, simulator: PaymentSimulator, billing_log: Runtime
) -> None:
    case_id = (await apply(shared_suite, "gewerbeanmeldung", gewerbeanmeldung()))["application_id"]
    reference = (await assessed_fee(shared_suite, case_id))["cash_reference"]
    billing = httpx.AsyncClient(base_url=shared_suite.url("billing"), timeout=30)
    citizen = httpx.AsyncClient(timeout=30)

    # The citizen cancels on the provider's page: the payment ends, nothing is booked.
    cancelled = await started(billing, reference)
    assert (await citizen.post(f"{cancelled['redirect_url']}?outcome=cancelled")).is_redirect
    status = (await billing.get(f"/api/v1/payments/{cancelled['payment_id']}")).json()
    assert status["status"] == "cancelled"
    ref = AggregateRef(Service.BILLING, WURZEN, "online-payment", cancelled["payment_id"])
    for _ in range(100):  # the end is recorded with the status; billing's outbox publishes it
        logged = [type(e.event).__name__ for e in (await billing_log.store.load(ref)).events]
        if len(logged) >= 2:
            break
        await asyncio.sleep(0.1)
    assert logged == ["OnlinePaymentStarted", "OnlinePaymentFailed"]

    # Paid, but the callback never arrived: asking for the status asks the provider.
    second = await started(billing, reference)
    [order] = [p for p in simulator.payments.values() if p.payment_id == second["payment_id"]]
    simulator.payments[order.provider_reference] = replace(order, status="paid")
    status = (await billing.get(f"/api/v1/payments/{second['payment_id']}")).json()
    assert status["status"] == "paid"
    await claim(shared_suite, reference, paid=Decimal("26.00"))
    [booked] = await bookings(billing_log, case_id)
    assert booked.booking_id == f"online:simulator:{order.provider_reference}"
    # the cancellation's alone
    assert len(deliveries_of(simulator, cancelled["payment_id"], second["payment_id"])) == 1
    await billing.aclose()
    await citizen.aclose()
