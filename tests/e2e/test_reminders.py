"""Unpaid fees over time, on real servers: one reminder, one handover, across a restart.

A Gewerbeanmeldung in Wurzen decided automatically: 26,00 € due 30 days after the decision,
a 6,00 € reminder fee after 7 grace days, enforcement 14 days after the reminder (Wurzen's
member file). The timers' clock is moved past the grace period: billing issues exactly one
``ReminderIssued`` and notify mails it (Zahlungserinnerung). Billing is stopped, the clock
moved past the enforcement day, billing started again: the claim is handed over once and
is on the town's enforcement list, and nothing fired twice. No surcharge: 26 € rounded down
to a multiple of 50 € is nothing (tests/unit/services/billing/test_reminders.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from contracts.base import DomainEvent
from contracts.calendar import german_date, next_working_day, today
from contracts.events.billing import (
    FeeNoticeIssued,
    HandedOverForEnforcement,
    LateSurchargeCharged,
    ReminderIssued,
)
from contracts.naming import Service
from runtime.eventstore import AggregateRef
from runtime.service import Runtime
from tests.conftest import DatabaseFactory
from tests.e2e.test_case_letters import APPLICANT, apply, mail_to, wait_for_mail
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.mail import SmtpServer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

REMINDER = "Zahlungserinnerung (Mahnung): Gewerbeanmeldung"


@pytest.fixture
async def billing_log(
    nats_url: str, namespace: str, new_database: DatabaseFactory
) -> AsyncIterator[Runtime]:
    """A runtime on billing's stream, to read the fees' events."""
    runtime = await connected_runtime(Service.BILLING, nats_url, namespace, await new_database())
    yield runtime
    await runtime.stop()


async def fee_events(log: Runtime, case_id: str) -> list[DomainEvent]:
    ref = AggregateRef(Service.BILLING, WURZEN, "fee", case_id)
    return [e.event for e in (await log.store.load(ref)).events]


async def wait_for(log: Runtime, case_id: str, kind: type, timeout: float = 20) -> DomainEvent:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = [e for e in await fee_events(log, case_id) if isinstance(e, kind)]
        if found:
            return found[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {kind.__name__} on fee {case_id}")


def move_clock(suite: Suite, days: int) -> None:
    suite.clock_file.write_text(f"+{days}d", encoding="utf-8")


async def test_an_unpaid_fee_is_reminded_once_and_handed_over_once_across_a_restart(
    suite: Suite, smtp: SmtpServer, billing_log: Runtime
) -> None:
    case_id = (await apply(suite, "gewerbeanmeldung", gewerbeanmeldung()))["application_id"]
    notice = await wait_for(billing_log, case_id, FeeNoticeIssued, timeout=40)
    assert isinstance(notice, FeeNoticeIssued)
    due = notice.due_date
    await asyncio.sleep(1.5)  # the timers have looked at it: nothing is due yet
    assert len(await fee_events(billing_log, case_id)) == 2  # assessed, notice

    # Past the due date and Wurzen's 7 grace days: one reminder.
    grace_over = (due - today()).days + 8
    move_clock(suite, grace_over)
    issued = await wait_for(billing_log, case_id, ReminderIssued)
    assert isinstance(issued, ReminderIssued)
    reminded_on = german_date(issued.issued_at)  # the timers' day, on the moved clock
    assert reminded_on == today() + timedelta(days=grace_over)
    assert issued.model_dump(exclude={"issued_at"}) == {
        "case_id": notice.case_id,
        "procedure": "gewerbeanmeldung",
        "cash_reference": notice.cash_reference,
        "open_amount": Decimal("26.00"),
        "reminder_fee": Decimal("6.00"),
        "amount_due": Decimal("32.00"),
        "currency": "EUR",
        "original_due_date": due,
        "due_date": next_working_day(reminded_on + timedelta(days=7)),
        "payee": "Stadtkasse Wurzen",
        "iban": "DE51860555920000729410",
        "bic": "WELADE8LXXX",
        "produkt": "61.1.0.01",
        "sachkonto": "45610000",
        "schedule_valid_from": date(2025, 1, 1),
    }
    mail = await wait_for_mail(smtp, APPLICANT, REMINDER)
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for part in ("Zu zahlen: 32,00 €", f"Kassenzeichen: {notice.cash_reference}", "IBAN: DE51"):
        assert part in text, part

    # billing stopped, the clock moved past the enforcement day, billing started again.
    billing = suite.processes["billing"].process
    billing.terminate()
    billing.wait(timeout=15)
    move_clock(suite, grace_over + 14)
    suite.start_one("billing")
    suite.wait_ready("billing")
    handed = await wait_for(billing_log, case_id, HandedOverForEnforcement)
    assert isinstance(handed, HandedOverForEnforcement)
    assert (handed.open_amount, handed.reminded_on) == (Decimal("32.00"), reminded_on)
    await asyncio.sleep(1.5)  # three more rounds of the timers

    events = await fee_events(billing_log, case_id)
    assert [type(e).__name__ for e in events] == [
        "FeeAssessed",
        "FeeNoticeIssued",
        "ReminderIssued",
        "HandedOverForEnforcement",
    ]
    assert not any(isinstance(e, LateSurchargeCharged) for e in events)
    assert len(mail_to(smtp, APPLICANT, REMINDER)) == 1

    url = f"/api/v1/towns/{WURZEN}/enforcement"
    async with httpx.AsyncClient(base_url=suite.url("billing")) as client:
        assert (await client.get(url)).status_code == 401
        headers = suite.operator_headers()
        for _ in range(50):  # the read model follows the log a moment later
            listed = await client.get(url, headers=headers)
            assert listed.status_code == 200, listed.text
            if listed.json():
                break
            await asyncio.sleep(0.1)
    [row] = listed.json()
    assert row["cash_reference"] == notice.cash_reference
    assert (row["open"], row["reminder_fees"], row["handed_over_amount"]) == (
        "32.00",
        "6.00",
        "32.00",
    )
