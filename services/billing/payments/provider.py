"""The adapter's protocol: what billing asks of a payment provider, and what it reports (pure).

Three things, whatever the provider: order a payment and get the page to send the citizen to
(``start``), read a callback only once it is proven the provider's (``verify_callback``), and
ask for a payment's state when no callback came (``query``). What a provider reports is a
``ProviderReport``; whether it books money is decided by billing (``matching``, ``ledger``),
never by the adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol
from uuid import UUID

ProviderStatus = Literal["pending", "paid", "failed", "cancelled"]


class ProviderUnavailable(RuntimeError):
    """The provider could not be reached, or answered what it should not."""


@dataclass(frozen=True)
class PaymentOrder:
    """A payment billing asks the provider to collect."""

    payment_id: UUID
    cash_reference: str
    amount: Decimal
    currency: str
    description: str
    return_url: str
    notification_url: str


@dataclass(frozen=True)
class Redirect:
    """The provider took the order: its id for it, and the page to send the citizen to."""

    provider_reference: str
    redirect_url: str


@dataclass(frozen=True)
class ProviderReport:
    """What the provider says, authenticated, of one payment."""

    provider_reference: str
    payment_id: UUID
    status: ProviderStatus
    amount: Decimal
    currency: str
    cash_reference: str
    nonce: str
    """The signature's nonce: seen once, never again (a replay is refused)."""
    signed_at: datetime


class PaymentProvider(Protocol):
    """One town's payment provider."""

    name: str

    async def start(self, order: PaymentOrder) -> Redirect:
        """Order the payment; raises ``ProviderUnavailable``."""
        ...

    def claimed_payment(self, body: bytes) -> UUID | None:
        """Which payment a callback says it is about, before it is trusted (to find its key)."""
        ...

    def verify_callback(
        self, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderReport:
        """The callback's report, if it is the provider's and fresh; raises ``MessageRefused``."""
        ...

    async def query(self, provider_reference: str, now: datetime) -> ProviderReport:
        """The payment's state as the provider knows it now; raises ``ProviderUnavailable``."""
        ...
