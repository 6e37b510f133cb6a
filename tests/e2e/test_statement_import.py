"""A bank statement through billing on real servers: fees paid, partly paid, unclear money.

Two Gewerbeanmeldungen in Wurzen are decided automatically and assessed 26,00 € each. Wurzen's
treasury imports a camt.053 statement of the Stadtkasse's account: one fee paid in full, the
other in part, and 7,00 € without any reference. The first claim is settled, the second
open with 16,00 €, and the 7,00 € wait in Wurzen's clarification queue, with the payer's
name, until a Wurzen clerk assigns them — Augustusburg's clerks do not see them. The same
file imported again books nothing; every booking is one ``PaymentBooked`` on the fee's log.
Files that are no statement, of an unknown account, or of another town's account are refused
with the reason in German, and nothing is booked.

The three tests share one running suite; the first leaves Wurzen's clarification queue empty
(it says so), which the other two then find unchanged by what they refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.events.billing import PaymentBooked
from runtime.service import Runtime
from tests.e2e.test_case_letters import apply
from tests.e2e.test_fee_notices import assessed_fee, billing_log, fee_events
from tests.support.applications import AUGUSTUSBURG, WURZEN, gewerbeanmeldung
from tests.support.desk import clerk_token
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite
from tests.unit.services.billing.statements.camt_files import entry, statement

__all__ = ["billing_log"]  # the fixture, used here by name

WURZEN_IBAN = "DE51860555920000729410"  # deploy/members/14729410-wurzen.toml, a test account
XML = {"content-type": "application/xml"}


def as_treasury(
    suite: Suite, issuer: DevIssuer, town: str, roles: tuple[str, ...]
) -> httpx.AsyncClient:
    token = clerk_token(issuer, town, "Karla Kasse", roles=roles)
    return httpx.AsyncClient(
        base_url=suite.url("billing"), headers={"authorization": f"Bearer {token}"}, timeout=30
    )


async def claim_when(client: httpx.AsyncClient, reference: str, **wanted: Any) -> dict[str, Any]:
    """The claim, once it shows ``wanted`` (the read model follows the log a moment later)."""
    for _ in range(200):
        response = await client.get(f"/api/v1/claims/{reference}")
        if response.status_code == 200:
            claim: dict[str, Any] = response.json()
            if all(claim.get(key) == value for key, value in wanted.items()):
                return claim
        await asyncio.sleep(0.1)
    raise AssertionError(f"claim {reference} never showed {wanted}: {response.text}")


async def open_items(client: httpx.AsyncClient, town: str, count: int) -> list[dict[str, Any]]:
    for _ in range(200):
        items: list[dict[str, Any]] = (
            await client.get(f"/api/v1/towns/{town}/clarifications")
        ).json()
        if len(items) >= count:
            return items
        await asyncio.sleep(0.1)
    raise AssertionError(f"{town}: {count} open items expected, found {items}")


@pytest.fixture
def namespace(shared_namespace: str) -> str:
    """The shared suite's namespace: ``billing_log`` reads billing's stream there."""
    return shared_namespace


@pytest.fixture
async def treasury(shared_suite: Suite, issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    async with as_treasury(shared_suite, issuer, WURZEN, ("treasury",)) as client:
        yield client


async def test_a_statement_settles_a_fee_pays_another_in_part_and_queues_unclear_money(
    shared_suite: Suite, issuer: DevIssuer, treasury: httpx.AsyncClient, billing_log: Runtime
) -> None:
    cases = [
        (await apply(shared_suite, "gewerbeanmeldung", gewerbeanmeldung()))["application_id"]
        for _ in range(2)
    ]
    fees = [await assessed_fee(shared_suite, case_id) for case_id in cases]
    paid, part = (fee["cash_reference"] for fee in fees)
    for reference in (paid, part):
        await claim_when(treasury, reference, open="26.00")

    data = statement(
        entry("26.00", f"Gewerbe KASSENZEICHEN {paid}", reference="BANK-1"),
        entry("10.00", f"{part} erste Rate", reference="BANK-2"),
        entry("7.00", "Spende Stadtfest", reference="BANK-3"),
        iban=WURZEN_IBAN,
        statement_id="2026-11-30-001",
    )
    imported = await treasury.post("/api/v1/statements?name=auszug.xml", content=data, headers=XML)
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert report["repeated"] is False
    assert report["towns"] == [WURZEN]
    assert [(b["cash_reference"], b["amount"], b["open_after"]) for b in report["booked"]] == [
        (paid, "26.00", "0.00"),
        (part, "10.00", "16.00"),
    ]
    [unclear] = report["clarifications"]
    assert (unclear["amount"], unclear["code"]) == ("7.00", "no_reference")

    settled = await claim_when(treasury, paid, settled=True)
    assert (settled["paid"], settled["open"]) == ("26.00", "0.00")
    [booking] = settled["bookings"]
    assert (
        booking["channel"],
        booking["matched_by"],
        booking["statement_id"],
        booking["entry"],
    ) == (
        "bank_statement",
        "kassenzeichen",
        "2026-11-30-001",
        1,
    )
    await claim_when(treasury, part, open="16.00", settled=False)

    # The same file again: recognised, nothing booked twice.
    again = await treasury.post("/api/v1/statements", content=data, headers=XML)
    assert again.status_code == 200, again.text
    assert (again.json()["repeated"], again.json()["booked"], again.json()["duplicates"]) == (
        True,
        [],
        3,
    )
    assert again.json()["clarifications"] == []

    # The unclear money: in Wurzen's queue with the payer, not in Augustusburg's.
    [item] = await open_items(treasury, WURZEN, 1)
    assert item["item_id"] == unclear["item_id"]
    assert (item["payer_name"], item["remittance"], item["amount"]) == (
        "MUSTERMANN, MAX",
        ["Spende Stadtfest"],
        "7.00",
    )
    async with as_treasury(shared_suite, issuer, AUGUSTUSBURG, ("clerk",)) as other:
        assert (await other.get(f"/api/v1/towns/{WURZEN}/clarifications")).status_code == 404
        refused = await other.post(
            f"/api/v1/towns/{WURZEN}/clarifications/{item['item_id']}",
            json={"resolution": "assigned", "cash_reference": part},
        )
        assert refused.status_code == 404
        assert (await other.get(f"/api/v1/claims/{part}")).status_code == 404

    async with as_treasury(shared_suite, issuer, WURZEN, ("clerk",)) as clerk:
        path = f"/api/v1/towns/{WURZEN}/clarifications/{item['item_id']}"
        missing = await clerk.post(path, json={"resolution": "assigned"})
        assert missing.status_code == 422
        assert "Kassenzeichen" in missing.text
        unknown = await clerk.post(
            path, json={"resolution": "assigned", "cash_reference": "14729410-2026-999999"}
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "cash_reference"
        resolved = await clerk.post(
            path,
            json={"resolution": "assigned", "cash_reference": part, "note": "Anruf der Zahlerin"},
        )
        assert resolved.status_code == 200, resolved.text
        twice = await clerk.post(path, json={"resolution": "refund"})
        assert twice.status_code == 409
    partly = await claim_when(treasury, part, open="9.00")
    assert [(b["channel"], b["amount"]) for b in partly["bookings"]] == [
        ("bank_statement", "10.00"),
        ("clarification", "7.00"),
    ]
    assert partly["bookings"][1]["booked_by"] == "Karla Kasse"
    assert await open_items(treasury, WURZEN, 0) == []

    # The log: one PaymentBooked per booking, whatever was imported twice.
    for case_id, amounts in zip(
        cases, ([Decimal("26.00")], [Decimal("10.00"), Decimal("7.00")]), strict=True
    ):
        for _ in range(100):
            booked = [
                e for e in await fee_events(billing_log, case_id) if isinstance(e, PaymentBooked)
            ]
            if len(booked) >= len(amounts):
                break
            await asyncio.sleep(0.1)
        assert [e.amount for e in booked] == amounts


async def test_files_that_cannot_be_imported_are_refused_and_book_nothing(
    shared_suite: Suite, issuer: DevIssuer, treasury: httpx.AsyncClient
) -> None:
    wurzens = statement(entry("26.00", "irgendwas", reference="X-1"), iban=WURZEN_IBAN)

    as_json = await treasury.post("/api/v1/statements", json={"camt": "053"})
    assert as_json.status_code == 415
    assert "XML" in as_json.json()["detail"]

    broken = await treasury.post("/api/v1/statements", content=b"<Document><Stmt>", headers=XML)
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["field"] == "(Datei)"

    foreign = statement(entry("26.00", "x", reference="X-2"), iban="DE02120300000000202051")
    unknown = await treasury.post("/api/v1/statements", content=foreign, headers=XML)
    assert unknown.status_code == 422
    assert "keiner Gemeinde" in unknown.json()["errors"][0]["message"]

    async with as_treasury(shared_suite, issuer, AUGUSTUSBURG, ("treasury",)) as other:
        refused = await other.post("/api/v1/statements", content=wurzens, headers=XML)
        assert refused.status_code == 403
        assert "nicht zuständig" in refused.json()["detail"]
    async with as_treasury(shared_suite, issuer, WURZEN, ("clerk",)) as clerk:
        assert (
            await clerk.post("/api/v1/statements", content=wurzens, headers=XML)
        ).status_code == 403
    anonymous = await httpx.AsyncClient(base_url=shared_suite.url("billing")).post(
        "/api/v1/statements", content=wurzens, headers=XML
    )
    assert anonymous.status_code == 401

    assert await open_items(treasury, WURZEN, 0) == []


async def test_hostile_and_malformed_files_get_a_german_4xx_and_book_nothing(
    shared_suite: Suite, treasury: httpx.AsyncClient, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>'
    ).encode()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<Document>&c;</Document>"
    )
    wrong_namespace = statement(entry(), iban=WURZEN_IBAN, namespace="urn:example:not-camt")
    cents = statement(entry("26.005", "KASSENZEICHEN X", reference="C-1"), iban=WURZEN_IBAN)
    negative = statement(entry("-26.00", "KASSENZEICHEN X", reference="C-2"), iban=WURZEN_IBAN)
    for name, data in (
        ("xxe", xxe),
        ("billion laughs", laughs),
        ("wrong namespace", wrong_namespace),
        ("fractions of a cent", cents),
        ("negative amount", negative),
    ):
        answer = await treasury.post("/api/v1/statements", content=data, headers=XML)
        assert answer.status_code == 422, (name, answer.status_code, answer.text)
        errors = answer.json()["errors"]
        assert errors, name
        assert all(e["field"] == "(Datei)" and e["message"] for e in errors), name
        assert "GEHEIM" not in answer.text
    huge = b"<Document>" + b" " * (20 * 1024 * 1024) + b"</Document>"
    too_large = await treasury.post("/api/v1/statements", content=huge, headers=XML)
    assert too_large.status_code == 413
    assert "MB" in too_large.json()["detail"]
    assert await open_items(treasury, WURZEN, 0) == []
