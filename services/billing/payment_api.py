"""Online payment's routes: the citizen starts a payment, the provider confirms it.

``POST /api/v1/payments``                     ``{cash_reference}`` → 201 with the provider's page
                                              to send the citizen to (public)
``POST /api/v1/payments/callback/{provider}`` the provider's signed callback: 204 when applied
                                              or applied before; 401 unsigned or forged, 400
                                              late, replayed, unknown or not matching the order
``GET  /api/v1/payments/{payment_id}``        the payment's state (pending: the provider is asked)
"""

from __future__ import annotations

import os
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from runtime.http import (
    ErrorBody,
    FieldError,
    JsonRoute,
    error_responses,
    problem,
    read_within,
    unavailable,
    validation_response,
)
from runtime.service import Runtime
from services.billing.payments.configuration import load_providers
from services.billing.payments.handlers import (
    NotPayable,
    payment_status,
    receive_callback,
    start_payment,
)
from services.billing.payments.provider import ProviderUnavailable
from services.billing.payments.signing import MessageRefused

CALLBACK_LIMIT = 16 * 1024
"""A provider's callback is a few hundred bytes."""
REFUSED = {
    "unsigned": 401,
    "forged": 401,
    "late": 400,
    "replayed": 400,
    "mismatch": 400,
    "unknown": 400,
}


CALLBACK_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "Abgelehnt: zu alt (mehr als fünf Minuten), schon einmal empfangen"
        " (Nonce), eine unbekannte Zahlung oder Angaben, die nicht zum Auftrag passen.",
    },
    401: {
        "model": ErrorBody,
        "description": "Abgelehnt: ohne Signatur (`X-Signature`) oder mit einer falschen.",
    },
}


class PaymentIn(BaseModel):
    """What the citizen pays: the claim named by its Kassenzeichen, its open amount."""

    cash_reference: str = Field(
        pattern=r"^\s*[0-9A-Za-z][0-9A-Za-z./-]{0,39}\s*$",
        max_length=60,
        description="Kassenzeichen, e.g. 14729410-2026-000123",
    )


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service and the towns' providers."""
    settings = runtime.settings
    providers = load_providers(settings.members_dir, os.environ, settings.is_production)
    api = APIRouter(prefix="/api/v1/payments", tags=["payments"], route_class=JsonRoute)

    @api.post("", status_code=201, responses=error_responses(413, 415, 422, 503))
    async def start(payment: PaymentIn) -> Any:
        """Start paying a Kassenzeichen's open amount online: the provider's page to go to."""
        try:
            started = await start_payment(runtime, providers, payment.cash_reference.strip())
        except NotPayable as refused:
            error = FieldError(field="cash_reference", message=refused.message, type=refused.code)
            return validation_response([error])
        except ProviderUnavailable:
            return unavailable("Der Zahlungsdienst antwortet gerade nicht. Bitte später erneut.")
        return {
            "payment_id": str(started.payment.payment_id),
            "status": "pending",
            "cash_reference": started.payment.cash_reference,
            "amount": str(started.payment.amount),
            "currency": started.payment.currency,
            "redirect_url": started.redirect_url,
        }

    @api.post(
        "/callback/{provider}",
        status_code=204,
        response_class=Response,
        responses={**error_responses(413, 503), **CALLBACK_REFUSALS},
    )
    async def callback(provider: str, request: Request) -> Response:
        """A payment provider's signed confirmation (or end) of a payment."""
        body = await read_within(request, CALLBACK_LIMIT)
        try:
            await receive_callback(runtime, providers, provider, request.headers, body)
        except MessageRefused as refused:
            return problem(REFUSED[refused.code], "Nachricht abgelehnt.", refused.reason)
        return Response(status_code=204)

    @api.get("/{payment_id}", responses=error_responses(404, 422, 503))
    async def status(payment_id: UUID) -> Any:
        """An online payment's state."""
        found = await payment_status(runtime, providers, payment_id)
        if found is None:
            return problem(404, "Nicht gefunden.", "Diese Zahlung ist nicht bekannt.")
        return found

    return api
