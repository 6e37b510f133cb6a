"""Cancelling and amending a fee notice: the rules, the events, and the claim they leave."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from contracts.events.billing import (
    FeeAmended,
    FeeNoticeCancelled,
    FeeNoticeIssued,
    LateSurchargeCharged,
)
from contracts.events.casework import DocumentRef
from services.billing.domain.claim import fold
from services.billing.domain.corrections import Clerk, CorrectionRefused, amend, cancel
from services.billing.domain.reminders import claim_may_be_dunned
from tests.unit.services.billing.test_claim import ASSESSED, AT, CASE, booking

CLERK = Clerk("kasse-1", "Karla Kasse")
NOW = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)  # 11 December in Wurzen
NOTICE = FeeNoticeIssued(
    case_id=CASE,
    procedure="gewerbeanmeldung",
    document=DocumentRef(
        object_name="k/g.pdf",
        filename="g.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    ),
    cash_reference=ASSESSED.cash_reference,
    amount=Decimal("26.00"),
    due_date=ASSESSED.due_date,
    payee="Stadtkasse Wurzen",
    iban="DE51860555920000729410",
    bic="WELADE8LXXX",
    issued_at=AT,
)


def test_a_cancelled_notice_lowers_the_claim_by_its_fee() -> None:
    claim = fold([ASSESSED, NOTICE])
    event = cancel(claim, " Bescheid irrtümlich erlassen ", by=CLERK, now=NOW)

    assert event == FeeNoticeCancelled(
        case_id=CASE,
        cash_reference=ASSESSED.cash_reference,
        number=1,
        correction=Decimal("-26.00"),
        reason="Bescheid irrtümlich erlassen",
        cancelled_by="kasse-1",
        cancelled_by_name="Karla Kasse",
        cancelled_at=NOW,
    )
    after = fold([ASSESSED, NOTICE, event])
    assert (after.raised, after.open, after.settled, after.cancelled) == (
        Decimal(0),
        Decimal(0),
        True,
        True,
    )
    assert not claim_may_be_dunned(after)


def test_a_paid_claim_cancelled_shows_a_credit() -> None:
    after = fold([ASSESSED, NOTICE, booking("b-1", "26.00")])
    after = fold([ASSESSED, NOTICE, booking("b-1", "26.00"), cancel(after, "x", by=CLERK, now=NOW)])
    assert after.open == Decimal("-26.00")  # a refund is owed


def test_surcharges_incurred_stay_when_the_notice_is_cancelled() -> None:
    surcharge = LateSurchargeCharged(
        case_id=CASE,
        cash_reference=ASSESSED.cash_reference,
        month=1,
        base=Decimal("50.00"),
        amount=Decimal("0.50"),
        due_date=ASSESSED.due_date,
        charged_at=NOW,
    )
    history = [ASSESSED, NOTICE, surcharge]
    event = cancel(fold(history), "aufgehoben", by=CLERK, now=NOW)
    assert event.correction == Decimal("-26.00")
    assert fold([*history, event]).open == Decimal("0.50")  # § 240 (1) sentence 4 AO


def test_an_amendment_sets_the_fee_anew_with_a_new_term_and_names_the_notice_replaced() -> None:
    claim = fold([ASSESSED, NOTICE])
    event = amend(claim, Decimal("20.00"), "Tarifstelle falsch", by=CLERK, now=NOW, term_days=30)

    assert event == FeeAmended(
        case_id=CASE,
        cash_reference=ASSESSED.cash_reference,
        number=1,
        previous_amount=Decimal("26.00"),
        amount=Decimal("20.00"),
        correction=Decimal("-6.00"),
        due_date=date(2027, 1, 10),  # 30 days from 11 December, the day in Germany
        replaces_notice_of=date(2026, 11, 30),
        reason="Tarifstelle falsch",
        amended_by="kasse-1",
        amended_by_name="Karla Kasse",
        amended_at=NOW,
    )
    after = fold([ASSESSED, NOTICE, event])
    assert (after.fee, after.raised, after.due_date) == (
        Decimal("20.00"),
        Decimal("20.00"),
        date(2027, 1, 10),
    )
    raised = amend(after, Decimal("30.00"), "doch mehr", by=CLERK, now=NOW, term_days=30)
    assert (raised.number, raised.correction) == (2, Decimal("10.00"))
    assert fold([ASSESSED, NOTICE, event, raised, raised]).raised == Decimal("30.00")  # once


@pytest.mark.parametrize(
    ("amount", "reason", "rule"),
    [
        (Decimal("26.00"), "x", "amount_must_change"),
        (Decimal("0.00"), "x", "amount_must_be_whole_cents_above_zero"),
        (Decimal("10.005"), "x", "amount_must_be_whole_cents_above_zero"),
        (Decimal("10.00"), "  ", "reason_must_be_given"),
    ],
)
def test_an_amendment_is_refused_by_its_rule(amount: Decimal, reason: str, rule: str) -> None:
    with pytest.raises(CorrectionRefused) as refusal:
        amend(fold([ASSESSED, NOTICE]), amount, reason, by=CLERK, now=NOW, term_days=30)
    assert refusal.value.rule == rule
    assert refusal.value.message  # German, for the clerk


def test_nothing_is_corrected_after_a_cancellation_nor_without_a_fee() -> None:
    history = [ASSESSED, NOTICE]
    cancelled = fold([*history, cancel(fold(history), "x", by=CLERK, now=NOW)])
    for attempt in (
        lambda: cancel(cancelled, "x", by=CLERK, now=NOW),
        lambda: amend(cancelled, Decimal(1), "x", by=CLERK, now=NOW, term_days=30),
    ):
        with pytest.raises(CorrectionRefused) as refusal:
            attempt()
        assert refusal.value.rule == "notice_must_not_be_cancelled"
    with pytest.raises(CorrectionRefused) as refusal:
        cancel(fold([]), "x", by=CLERK, now=NOW)
    assert refusal.value.rule == "claim_must_exist"
