"""What the payment routes do: start a payment, take a provider's callback, tell a status.

Each handler takes the running service and the towns' providers and does one thing; the
routes (``services/billing/payment_api.py``) only parse and answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog

from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.billing.payments import ledger
from services.billing.payments.ledger import Applied
from services.billing.payments.matching import StartedPayment
from services.billing.payments.provider import PaymentOrder, PaymentProvider, ProviderUnavailable
from services.billing.payments.signing import MessageRefused

log = structlog.get_logger(__name__)

Providers = Mapping[str, PaymentProvider]
"""Each town's provider, by AGS."""


class NotPayable(ValueError):
    """A Kassenzeichen that cannot be paid online now; the message says why, in German."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Started:
    """A payment ordered at the provider: where the citizen goes next."""

    payment: StartedPayment
    redirect_url: str


def _now() -> datetime:
    return datetime.now(UTC)


def base_url(runtime: Runtime) -> str:
    """Where billing is reached from outside (the provider's callbacks, the citizen)."""
    settings = runtime.settings
    return (settings.public_url or f"http://{settings.http_host}:{settings.http_port}").rstrip("/")


async def start_payment(runtime: Runtime, providers: Providers, cash_reference: str) -> Started:
    """Order the claim's open amount at its town's provider; raises ``NotPayable``."""
    claim = await ledger.open_claim(runtime.pool, cash_reference)
    if claim is None:
        raise NotPayable("unknown_reference", "Dieses Kassenzeichen ist uns nicht bekannt.")
    if claim.open <= 0:
        raise NotPayable("settled", "Dieses Kassenzeichen ist bereits vollständig bezahlt.")
    provider = providers.get(claim.town)
    if provider is None:
        raise NotPayable(
            "no_provider",
            "Für diese Gemeinde ist keine Online-Zahlung eingerichtet; bitte überweisen Sie"
            " den Betrag mit dem Kassenzeichen als Verwendungszweck.",
        )
    payment_id, base = new_id(), base_url(runtime)
    redirect = await provider.start(
        PaymentOrder(
            payment_id=payment_id,
            cash_reference=cash_reference,
            amount=claim.open,
            currency="EUR",
            description=f"Kassenzeichen {cash_reference}",
            return_url=f"{base}/api/v1/payments/{payment_id}",
            notification_url=f"{base}/api/v1/payments/callback/{provider.name}",
        )
    )
    started = StartedPayment(
        payment_id=payment_id,
        town=claim.town,
        case_id=claim.case_id,
        cash_reference=cash_reference,
        amount=claim.open,
        currency="EUR",
        provider=provider.name,
        provider_reference=redirect.provider_reference,
        status="pending",
    )
    cause = Cause(actor="citizen", correlation_id=payment_id)
    await ledger.record_start(runtime.pool, started, redirect.redirect_url, _now(), cause)
    log.info("online payment started", payment_id=str(payment_id), provider=provider.name)
    return Started(started, redirect.redirect_url)


async def receive_callback(
    runtime: Runtime,
    providers: Providers,
    provider_name: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Applied:
    """Apply a provider's signed callback once; raises ``MessageRefused`` with the reason."""
    try:
        return await _receive(runtime, providers, provider_name, headers, body)
    except MessageRefused as refused:
        log.warning("payment callback refused", provider=provider_name, code=refused.code)
        raise


async def _receive(
    runtime: Runtime,
    providers: Providers,
    provider_name: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Applied:
    named = [p for p in providers.values() if p.name == provider_name]
    claimed = named[0].claimed_payment(body) if named else None
    found = await ledger.payment(runtime.pool, claimed) if claimed else None
    if found is None or providers.get(found[0].town) not in named:
        raise MessageRefused("unknown", "Diese Zahlung ist hier nicht bekannt.")
    provider, now = providers[found[0].town], _now()
    report = provider.verify_callback(headers, body, now)
    cause = Cause(actor=f"provider:{provider_name}", correlation_id=report.payment_id)
    applied = await ledger.apply_report(runtime.pool, provider_name, report, now, cause)
    log.info("payment callback applied", payment_id=str(report.payment_id), applied=applied)
    return applied


async def payment_status(
    runtime: Runtime, providers: Providers, payment_id: UUID
) -> dict[str, Any] | None:
    """The payment's state; still pending, the provider is asked (and its answer applied)."""
    found = await ledger.payment(runtime.pool, payment_id)
    if found is None:
        return None
    started, redirect_url = found
    provider = providers.get(started.town)
    if started.status == "pending" and provider is not None:
        await _ask_provider(runtime, provider, started)
        found = await ledger.payment(runtime.pool, payment_id)
        assert found is not None
        started = found[0]
    return {
        "payment_id": str(started.payment_id),
        "status": started.status,
        "cash_reference": started.cash_reference,
        "amount": str(started.amount),
        "currency": started.currency,
        "provider": started.provider,
        "redirect_url": redirect_url if started.status == "pending" else None,
    }


async def _ask_provider(
    runtime: Runtime, provider: PaymentProvider, started: StartedPayment
) -> None:
    """Apply what the provider says now; an unreachable or refused answer changes nothing."""
    now = _now()
    try:
        report = await provider.query(started.provider_reference, now)
        cause = Cause(actor=f"provider:{provider.name}", correlation_id=started.payment_id)
        await ledger.apply_report(runtime.pool, provider.name, report, now, cause)
    except (ProviderUnavailable, MessageRefused) as exc:
        log.warning(
            "payment status not learned", payment_id=str(started.payment_id), error=str(exc)
        )
