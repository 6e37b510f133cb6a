"""A fee notice amended, paid, then cancelled, through the running suite.

An automated Gewerbeanmeldung in Wurzen gets its notice (26,00 €). Wurzen's treasury amends the
fee to 20,00 € (``FeeAmended``): the claim is lowered, a new notice saying which one it
replaces reaches the applicant's mailbox with a GiroCode for 20,00 €. The 20,00 € are paid by
bank statement; then the notice is cancelled (``FeeNoticeCancelled``): the claim shows a credit
of 20,00 €, listed as a refund due, and the finance export has both corrections as Soll
(−6,00 €, −20,00 €). A second cancellation is refused (409), another town's treasury sees no
such claim (404), a clerk without the treasury's role may not (403).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg

from contracts.events.billing import FeeAmended, FeeNoticeCancelled, FeeNoticeIssued
from runtime.service import Runtime
from tests.e2e.test_case_letters import APPLICANT, apply, mail_to, pdf_text, wait_for_mail
from tests.e2e.test_fee_notices import (
    SUBJECT,
    assessed_fee,
    billing_log,
    fee_events,
    girocode,
)
from tests.e2e.test_statement_import import WURZEN_IBAN, XML, as_treasury, claim_when
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.suite import Suite
from tests.unit.services.billing.statements.camt_files import entry, statement

__all__ = ["billing_log"]  # the fixture, used here by name


async def test_a_fee_notice_is_amended_then_cancelled_and_the_payment_is_owed_back(
    suite: Suite, smtp: SmtpServer, issuer: DevIssuer, billing_log: Runtime
) -> None:
    accepted = await apply(suite, "gewerbeanmeldung", gewerbeanmeldung())
    case_id = accepted["application_id"]
    await wait_for_mail(smtp, APPLICANT, SUBJECT)
    reference = (await assessed_fee(suite, case_id))["cash_reference"]

    async with as_treasury(suite, issuer, WURZEN, ("treasury",)) as treasury:
        url = f"/api/v1/claims/{reference}"
        amended = await treasury.post(
            f"{url}/amendment", json={"amount": "20.00", "reason": "Ermäßigung nach Nr. 4.2"}
        )
        assert amended.status_code == 200, amended.text
        event = FeeAmended.model_validate(amended.json())
        assert (event.number, event.previous_amount, event.amount, event.correction) == (
            1,
            Decimal("26.00"),
            Decimal("20.00"),
            Decimal("-6.00"),
        )
        assert event.replaces_notice_of is not None
        await claim_when(treasury, reference, raised="20.00", open="20.00")

        # The new notice, replacing the first, in the mailbox.
        mail = await wait_for_mail(smtp, APPLICANT, "Geänderter Gebührenbescheid")
        [attachment] = list(mail.iter_attachments())
        pdf = attachment.get_payload(decode=True)
        assert isinstance(pdf, bytes)
        text = pdf_text(pdf)
        replaced = f"{event.replaces_notice_of:%d.%m.%Y}"
        assert f"ersetzt den Gebührenbescheid vom {replaced} mit dem Kassenzeichen" in text
        assert "Grund der Änderung: Ermäßigung nach Nr. 4.2" in text
        assert "20,00 €" in text
        assert girocode(pdf)[7] == "EUR20"
        issued = [
            e for e in await fee_events(billing_log, case_id) if isinstance(e, FeeNoticeIssued)
        ]
        assert [(e.amount, e.replaces_notice_of) for e in issued] == [
            (Decimal("26.00"), None),
            (Decimal("20.00"), event.replaces_notice_of),
        ]

        paid = statement(
            entry("20.00", f"Kassenzeichen {reference}", reference="K-1"), iban=WURZEN_IBAN
        )
        assert (
            await treasury.post("/api/v1/statements", content=paid, headers=XML)
        ).status_code == 200
        await claim_when(treasury, reference, open="0.00", settled=True)

        cancelled = await treasury.post(
            f"{url}/cancellation", json={"reason": "Antrag zurückgenommen"}
        )
        assert cancelled.status_code == 200, cancelled.text
        cancellation = FeeNoticeCancelled.model_validate(cancelled.json())
        assert (cancellation.number, cancellation.correction) == (2, Decimal("-20.00"))
        await claim_when(treasury, reference, raised="0.00", open="-20.00")
        refunds = (await treasury.get(f"/api/v1/towns/{WURZEN}/refunds")).json()
        assert [(r["cash_reference"], r["refund"]) for r in refunds] == [(reference, "20.00")]

        for _ in range(50):  # the log is written through the outbox a moment later
            again = await treasury.post(f"{url}/cancellation", json={"reason": "noch einmal"})
            if again.status_code != 503:
                break
        assert again.status_code == 409
        assert again.headers["x-rule"] == "notice_must_not_be_cancelled"

    async with as_treasury(suite, issuer, "14522020", ("treasury",)) as other:
        answer = await other.post(f"{url}/cancellation", json={"reason": "x"})
        assert answer.status_code == 404
    async with as_treasury(suite, issuer, WURZEN, ("clerk",)) as clerk:
        assert (await clerk.post(f"{url}/cancellation", json={"reason": "x"})).status_code == 403

    conn = await asyncpg.connect(suite.database_urls["billing"])
    try:
        soll = await conn.fetch(
            "SELECT entry_id, amount FROM rm_finance.entries WHERE kind = 'soll'"
            " AND cash_reference = $1 ORDER BY entry_id",
            reference,
        )
    finally:
        await conn.close()
    assert [(r["entry_id"], r["amount"]) for r in soll] == [
        (reference, Decimal("26.00")),
        (f"{reference}/korrektur-1", Decimal("-6.00")),
        (f"{reference}/korrektur-2", Decimal("-20.00")),
    ]
    assert len(mail_to(smtp, APPLICANT, "Geänderter Gebührenbescheid")) == 1
    assert date.today() <= event.due_date
