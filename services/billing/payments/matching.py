"""The rules a provider's report must pass before it moves money or ends a payment (pure).

Each rule has a name (logged with a refusal) and says in German what is wrong. A report
that breaks one books nothing: money the provider took for another amount, another
currency or another Kassenzeichen is a matter for a clerk, not for a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from services.billing.payments.provider import ProviderReport


@dataclass(frozen=True)
class StartedPayment:
    """An online payment as billing ordered it."""

    payment_id: UUID
    town: str
    case_id: UUID
    cash_reference: str
    amount: Decimal
    currency: str
    provider: str
    provider_reference: str
    status: str


Rule = Callable[[StartedPayment, ProviderReport], bool]


def report_must_name_the_provider_s_payment(
    started: StartedPayment, report: ProviderReport
) -> bool:
    return report.provider_reference == started.provider_reference


def amount_must_be_the_amount_ordered(started: StartedPayment, report: ProviderReport) -> bool:
    return report.amount == started.amount


def currency_must_be_the_currency_ordered(started: StartedPayment, report: ProviderReport) -> bool:
    return report.currency == started.currency


def kassenzeichen_must_be_the_one_ordered(started: StartedPayment, report: ProviderReport) -> bool:
    return report.cash_reference == started.cash_reference


RULES: dict[Rule, str] = {
    report_must_name_the_provider_s_payment: "Die Nachricht nennt eine andere Zahlung.",
    amount_must_be_the_amount_ordered: "Der Betrag weicht vom beauftragten Betrag ab.",
    currency_must_be_the_currency_ordered: "Die Währung weicht von der beauftragten ab.",
    kassenzeichen_must_be_the_one_ordered: "Das Kassenzeichen weicht vom beauftragten ab.",
}


def broken_rules(started: StartedPayment, report: ProviderReport) -> list[tuple[str, str]]:
    """Name and German reason of every rule ``report`` breaks (empty: it may be applied)."""
    return [(rule.__name__, reason) for rule, reason in RULES.items() if not rule(started, report)]
