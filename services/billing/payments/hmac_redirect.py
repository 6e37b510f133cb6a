"""The adapter for providers that redirect the citizen and sign what they send (HMAC-SHA256).

The wire format (``devstack/payment_simulator.py`` speaks it, as giropay-like providers do):

``POST {base_url}/api/payments``   billing's order, signed with the town's key:
    ``{merchant, payment_id, reference, amount, currency, description, return_url,
    notification_url}`` → 201 ``{provider_reference, redirect_url}``
``POST {notification_url}``        the provider's callback, signed with the same key:
    ``{merchant, provider_reference, payment_id, status, amount, currency, reference}``
``POST {base_url}/api/payments/{provider_reference}/status``  billing's query, signed
    ``{merchant, provider_reference}`` → 200, the callback's body, signed

Every body is signed as sent (``signing``): ``X-Signature: t=…,n=…,v1=…``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.billing.payments.provider import (
    PaymentOrder,
    ProviderReport,
    ProviderStatus,
    ProviderUnavailable,
    Redirect,
)
from services.billing.payments.signing import (
    HEADER,
    MessageRefused,
    canonical_json,
    sign,
    verify,
)

TIMEOUT = httpx.Timeout(10.0)


class _ReportBody(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    merchant: str
    provider_reference: str = Field(pattern=r"^[A-Za-z0-9_-]{1,100}$")
    payment_id: UUID
    status: ProviderStatus
    amount: Decimal
    currency: str = Field(min_length=3, max_length=3)
    reference: str = Field(max_length=40)


class _Started(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    provider_reference: str = Field(pattern=r"^[A-Za-z0-9_-]{1,100}$")
    redirect_url: str = Field(pattern=r"^https?://")


class HmacRedirectProvider:
    """One town's merchant account at an HMAC-signing, redirecting provider."""

    def __init__(self, name: str, base_url: str, merchant: str, key: bytes) -> None:
        self.name = name
        self._base = base_url.rstrip("/")
        self._merchant = merchant
        self._key = key

    def _signed(self, value: Mapping[str, Any], now: datetime) -> tuple[bytes, dict[str, str]]:
        body = canonical_json(value)
        header = sign(self._key, body, int(now.timestamp()), secrets.token_urlsafe(18))
        return body, {HEADER: header, "content-type": "application/json"}

    async def _post(self, path: str, value: Mapping[str, Any], now: datetime) -> httpx.Response:
        body, headers = self._signed(value, now)
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT) as client:
                return await client.post(f"{self._base}{path}", content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{self.name}: {type(exc).__name__}") from None

    async def start(self, order: PaymentOrder) -> Redirect:
        """Order the payment; the provider's page for the citizen."""
        answer = await self._post(
            "/api/payments",
            {
                "merchant": self._merchant,
                "payment_id": str(order.payment_id),
                "reference": order.cash_reference,
                "amount": str(order.amount),
                "currency": order.currency,
                "description": order.description,
                "return_url": order.return_url,
                "notification_url": order.notification_url,
            },
            datetime.now().astimezone(),
        )
        if answer.status_code != 201:
            raise ProviderUnavailable(f"{self.name}: order answered {answer.status_code}")
        try:
            started = _Started.model_validate_json(answer.content)
        except ValidationError:
            raise ProviderUnavailable(f"{self.name}: order answered unreadably") from None
        return Redirect(started.provider_reference, started.redirect_url)

    def claimed_payment(self, body: bytes) -> UUID | None:
        """The payment id a callback names (not yet trusted)."""
        try:
            return _ReportBody.model_validate_json(body).payment_id
        except ValidationError:
            return None

    def verify_callback(
        self, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderReport:
        """The callback's report, if signed with this merchant's key within the window."""
        signature = verify(self._key, headers.get(HEADER), body, now)
        try:
            report = _ReportBody.model_validate_json(body)
        except ValidationError:
            raise MessageRefused("mismatch", "Der Inhalt der Nachricht ist unlesbar.") from None
        if report.merchant != self._merchant:
            raise MessageRefused("mismatch", "Die Nachricht nennt einen anderen Händler.")
        return ProviderReport(
            provider_reference=report.provider_reference,
            payment_id=report.payment_id,
            status=report.status,
            amount=report.amount,
            currency=report.currency,
            cash_reference=report.reference,
            nonce=signature.nonce,
            signed_at=datetime.fromtimestamp(signature.timestamp).astimezone(),
        )

    async def query(self, provider_reference: str, now: datetime) -> ProviderReport:
        """The payment's state at the provider; its answer must be signed like a callback."""
        answer = await self._post(
            f"/api/payments/{provider_reference}/status",
            {"merchant": self._merchant, "provider_reference": provider_reference},
            now,
        )
        if answer.status_code != 200:
            raise ProviderUnavailable(f"{self.name}: status answered {answer.status_code}")
        try:
            return self.verify_callback(answer.headers, answer.content, now)
        except MessageRefused as exc:
            raise ProviderUnavailable(f"{self.name}: status answer refused ({exc.code})") from None
