"""A provider's report books money only for the payment, amount, currency and Kassenzeichen
billing ordered."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from services.billing.payments.ledger import booking_id
from services.billing.payments.matching import StartedPayment, broken_rules
from services.billing.payments.provider import ProviderReport

STARTED = StartedPayment(
    payment_id=uuid4(),
    town="14729410",
    case_id=uuid4(),
    cash_reference="2026-0001-7",
    amount=Decimal("26.00"),
    currency="EUR",
    provider="simulator",
    provider_reference="sim_abc",
    status="pending",
)
REPORT = ProviderReport(
    provider_reference="sim_abc",
    payment_id=STARTED.payment_id,
    status="paid",
    amount=Decimal("26.00"),
    currency="EUR",
    cash_reference="2026-0001-7",
    nonce="n" * 16,
    signed_at=datetime(2026, 3, 2, tzinfo=UTC),
)


def test_the_report_of_the_payment_ordered_breaks_no_rule() -> None:
    assert broken_rules(STARTED, REPORT) == []
    assert broken_rules(STARTED, replace(REPORT, amount=Decimal("26.0"))) == []


def test_another_amount_is_refused() -> None:
    assert broken_rules(STARTED, replace(REPORT, amount=Decimal("0.01"))) == [
        ("amount_must_be_the_amount_ordered", "Der Betrag weicht vom beauftragten Betrag ab.")
    ]


def test_another_currency_kassenzeichen_or_provider_payment_is_refused() -> None:
    wrong = replace(REPORT, currency="USD", cash_reference="2026-0002-5", provider_reference="x")
    assert [name for name, _ in broken_rules(STARTED, wrong)] == [
        "report_must_name_the_provider_s_payment",
        "currency_must_be_the_currency_ordered",
        "kassenzeichen_must_be_the_one_ordered",
    ]


def test_the_booking_id_is_the_provider_s_payment() -> None:
    assert booking_id("simulator", "sim_abc") == "online:simulator:sim_abc"
