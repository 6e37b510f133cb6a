"""The town's accounts on real servers: a day's claims and payments, closed once after midnight.

Two fees are assessed in Wurzen and one is paid by bank statement. With the timers' clock moved
to the next day, billing closes the day: ``FinanceDayClosed`` lists the three entries, the CSV
for the finance software has two Soll lines on the Produkt and Sachkonto of Wurzen's schedule
and one Ist line, and its totals are the totals of everything billing's log holds for Wurzen —
read from the whole stream, to the cent. Moving the clock on closes nothing twice.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from contracts.base import DomainEvent
from contracts.calendar import today
from contracts.events.billing import (
    FeeAssessed,
    FinanceDayClosed,
    LateSurchargeCharged,
    PaymentBooked,
    ReminderIssued,
)
from runtime.reader import read_stream
from runtime.service import Runtime
from tests.e2e.test_case_letters import apply
from tests.e2e.test_fee_notices import assessed_fee, billing_log
from tests.e2e.test_statement_import import WURZEN_IBAN, XML, as_treasury, claim_when
from tests.support.applications import AUGUSTUSBURG, WURZEN, gewerbeanmeldung
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite
from tests.unit.services.billing.statements.camt_files import entry, statement

__all__ = ["billing_log"]  # the fixture, used here by name


@pytest.fixture
async def treasury(suite: Suite, issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """Wurzen's treasury on this test's own suite (each test here moves the clock)."""
    async with as_treasury(suite, issuer, WURZEN, ("treasury",)) as client:
        yield client


async def billing_events(log: Runtime) -> list[tuple[str, DomainEvent]]:
    """Every event in billing's stream with its town, in order."""
    events = []
    async for msg in read_stream(log.js, log.ns.stream(log.service)):
        for envelope in await log.store.codec.decode(msg.data or b"", stream_seq=0):
            events.append((envelope.meta.tenant, envelope.event))
    return events


def german_amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


async def closed_day(client: httpx.AsyncClient, town: str) -> dict[str, Any]:
    for _ in range(200):
        days = (await client.get(f"/api/v1/towns/{town}/finance/days")).json()
        if days:
            [day] = days
            return dict(day)
        await asyncio.sleep(0.1)
    raise AssertionError(f"{town}: no day closed")


async def test_a_closed_day_lists_every_claim_and_payment_and_matches_the_log(
    suite: Suite, issuer: DevIssuer, treasury: httpx.AsyncClient, billing_log: Runtime
) -> None:
    cases = [
        (await apply(suite, "gewerbeanmeldung", gewerbeanmeldung()))["application_id"]
        for _ in range(2)
    ]
    references = [(await assessed_fee(suite, case_id))["cash_reference"] for case_id in cases]
    await claim_when(treasury, references[1], open="26.00")
    paid = statement(
        entry("26.00", f"KASSENZEICHEN {references[1]}", reference="B-1"),
        iban=WURZEN_IBAN,
        statement_id="2026-11-30-777",
    )
    assert (await treasury.post("/api/v1/statements", content=paid, headers=XML)).status_code == 200
    await claim_when(treasury, references[1], settled=True)

    # Not before midnight: the day is still running.
    day = today()
    running = await treasury.get(f"/api/v1/towns/{WURZEN}/finance/days/{day}.csv")
    assert running.status_code == 404
    assert "nicht abgeschlossen" in running.json()["detail"]

    suite.clock_file.write_text("+1d")
    closed = await closed_day(treasury, WURZEN)
    assert closed["day"] == day.isoformat()
    assert (closed["soll_total"], closed["ist_total"], closed["entries"]) == ("52.00", "26.00", 3)

    response = await treasury.get(f"/api/v1/towns/{WURZEN}/finance/days/{day}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r["Satzart"], r["Kassenzeichen"], r["Betrag"]) for r in rows] == [
        ("Soll", references[0], "26,00"),
        ("Soll", references[1], "26,00"),
        ("Ist", references[1], "26,00"),
    ]
    assert {(r["Produkt"], r["Sachkonto"]) for r in rows} == {("12.2.0.02", "43110000")}
    assert rows[2]["Zahlweg"] == "bank_statement"
    assert rows[2]["Buchungskennung"]

    totals = (await treasury.get(f"/api/v1/towns/{WURZEN}/finance/days/{day}")).json()
    assert totals["accounts"] == [
        {"produkt": "12.2.0.02", "sachkonto": "43110000", "soll": "52.00", "ist": "26.00"}
    ]

    # The log, read whole: Wurzen's Soll and Ist are the CSV's, to the cent; one day closed.
    log = [(town, e) for town, e in await billing_events(billing_log) if town == WURZEN]
    soll = sum((e.amount for _, e in log if isinstance(e, FeeAssessed)), Decimal(0))
    soll += sum((e.reminder_fee for _, e in log if isinstance(e, ReminderIssued)), Decimal(0))
    soll += sum((e.amount for _, e in log if isinstance(e, LateSurchargeCharged)), Decimal(0))
    ist = sum((e.amount for _, e in log if isinstance(e, PaymentBooked)), Decimal(0))
    assert soll == sum(german_amount(r["Betrag"]) for r in rows if r["Satzart"] == "Soll")
    assert ist == sum(german_amount(r["Betrag"]) for r in rows if r["Satzart"] == "Ist")
    [closing] = [e for _, e in log if isinstance(e, FinanceDayClosed)]
    assert (closing.soll_total, closing.ist_total) == (soll, ist)

    # Days later: nothing more to close, nothing closed twice; other towns see nothing.
    suite.clock_file.write_text("+3d")
    await asyncio.sleep(2)
    assert len((await treasury.get(f"/api/v1/towns/{WURZEN}/finance/days")).json()) == 1
    again = [e for town, e in await billing_events(billing_log) if isinstance(e, FinanceDayClosed)]
    assert len(again) == 1
    async with as_treasury(suite, issuer, AUGUSTUSBURG, ("treasury",)) as other:
        refused = await other.get(f"/api/v1/towns/{WURZEN}/finance/days/{day}.csv")
        assert refused.status_code == 404


async def test_a_reminder_fee_recorded_after_the_day_was_closed_goes_to_the_next_day(
    suite: Suite, issuer: DevIssuer, treasury: httpx.AsyncClient, billing_log: Runtime
) -> None:
    case_id = (await apply(suite, "gewerbeanmeldung", gewerbeanmeldung()))["application_id"]
    reference = (await assessed_fee(suite, case_id))["cash_reference"]
    await claim_when(treasury, reference, open="26.00")
    suite.clock_file.write_text("+1d")
    first = await closed_day(treasury, WURZEN)
    assert (first["soll_total"], first["entries"]) == ("26.00", 1)

    # Unpaid past the due date and the grace days: the reminder's fee is recorded today (the
    # log's time), after today was closed — the next day to close takes it.
    suite.clock_file.write_text("+45d")
    await claim_when(treasury, reference, open="32.00")
    for _ in range(200):
        days = (await treasury.get(f"/api/v1/towns/{WURZEN}/finance/days")).json()
        if len(days) == 2:
            break
        await asyncio.sleep(0.1)
    later, earlier = days
    assert earlier["day"] == first["day"]
    assert later["day"] == (today() + timedelta(days=1)).isoformat()
    assert (later["soll_total"], later["ist_total"], later["entries"]) == ("6.00", "0.00", 1)
    csv_text = (
        await treasury.get(f"/api/v1/towns/{WURZEN}/finance/days/{later['day']}.csv")
    ).content
    [row] = list(csv.DictReader(io.StringIO(csv_text.decode("utf-8-sig")), delimiter=";"))
    assert (row["Satzart"], row["Kassenzeichen"], row["Betrag"]) == ("Soll", reference, "6,00")
    assert (row["Produkt"], row["Sachkonto"], row["Erfasst"]) == (
        "61.1.0.01",
        "45610000",
        today().isoformat(),
    )
    log = [e for town, e in await billing_events(billing_log) if town == WURZEN]
    [reminder] = [e for e in log if isinstance(e, ReminderIssued)]
    closed = [e for e in log if isinstance(e, FinanceDayClosed)]
    assert sum(e.soll_total for e in closed) == Decimal("26.00") + reminder.reminder_fee
