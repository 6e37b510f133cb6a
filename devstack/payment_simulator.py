"""A local payment provider that redirects, pays and signs its callbacks like a real one.

It speaks the wire format of ``services/billing/payments/hmac_redirect.py``: billing orders a
payment (a signed ``POST /api/payments``), the citizen's browser is sent to ``/pay/{id}``, a
German page with „Bezahlen“ and „Abbrechen“; either button posts the outcome, the simulator
calls billing back with a signed report (``X-Signature: t=…,n=…,v1=…``, HMAC-SHA256 with the
town's key) and sends the browser to billing's return address. ``POST
/api/payments/{id}/status`` answers billing's query, signed as well.

Tests drive it in-process (``PaymentSimulator(...).start()``) and use ``signed_report`` to
make the callbacks a real provider would never send — forged, late, replayed, duplicated.
Standalone, ``python -m devstack.payment_simulator [--port 8096]`` serves every member town
whose ``[billing.payment]`` names the simulator, with the key its ``key_env`` holds (the
development key without one). It is not started by ``rathaus.py start`` (yet).
"""

from __future__ import annotations

import argparse
import html
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from devstack.embedded import free_port
from devstack.threaded_server import ThreadedServer
from runtime.members import read_member_files
from services.billing.payments.configuration import DEV_PAYMENT_KEY, SIMULATOR
from services.billing.payments.signing import (
    HEADER,
    MessageRefused,
    canonical_json,
    sign,
    verify,
)

DEFAULT_PORT = 8096


@dataclass(frozen=True)
class SimulatedPayment:
    """A payment as the simulator took the order."""

    provider_reference: str
    merchant: str
    payment_id: str
    reference: str
    amount: str
    currency: str
    description: str
    return_url: str
    notification_url: str
    status: str = "pending"


@dataclass(frozen=True)
class Delivery:
    """A callback the simulator sent, as sent, and billing's answer."""

    url: str
    body: bytes
    headers: dict[str, str]
    status_code: int


@dataclass
class PaymentSimulator:
    """The provider, serving on ``url`` once started; ``keys`` by merchant."""

    keys: Mapping[str, bytes]
    port: int = 0
    host: str = "127.0.0.1"
    payments: dict[str, SimulatedPayment] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    _server: ThreadedServer | None = None

    @property
    def url(self) -> str:
        """Where the simulator is reached."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> PaymentSimulator:
        """Serve in a thread of this process; returns once it accepts requests."""
        self.port = self.port or free_port()
        self._server = ThreadedServer(app(self), self.host, self.port, "payment simulator").start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()

    def signed_report(
        self,
        provider_reference: str,
        *,
        status: str | None = None,
        at: datetime | None = None,
        nonce: str | None = None,
        key: bytes | None = None,
        **changes: str,
    ) -> tuple[bytes, dict[str, str]]:
        """A report of the payment, signed (now, a fresh nonce, the merchant's key unless
        told otherwise), ``changes`` to its fields applied: body and headers."""
        payment = self.payments[provider_reference]
        body = canonical_json({**_report(payment, status or payment.status), **changes})
        stamp = int((at or datetime.now(UTC)).timestamp())
        signing_key = key if key is not None else self.keys[payment.merchant]
        header = sign(signing_key, body, stamp, nonce or secrets.token_urlsafe(18))
        return body, {HEADER: header, "content-type": "application/json"}

    def _verified(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any] | None:
        """The merchant's request, if signed with its key (None: refused)."""
        try:
            value: dict[str, Any] = httpx.Response(200, content=body).json()
            key = self.keys[str(value["merchant"])]
            verify(key, headers.get(HEADER), body, datetime.now(UTC))
        except (ValueError, KeyError, MessageRefused):
            return None
        return value

    async def _pay(self, provider_reference: str, outcome: str) -> str:
        """Settle the payment as the citizen chose, call billing back; the return address."""
        payment = replace(self.payments[provider_reference], status=outcome)
        self.payments[provider_reference] = payment
        body, headers = self.signed_report(provider_reference)
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(payment.notification_url, content=body, headers=headers)
        self.deliveries.append(
            Delivery(payment.notification_url, body, headers, answer.status_code)
        )
        return payment.return_url


def _report(payment: SimulatedPayment, status: str) -> dict[str, str]:
    return {
        "merchant": payment.merchant,
        "provider_reference": payment.provider_reference,
        "payment_id": payment.payment_id,
        "status": status,
        "amount": payment.amount,
        "currency": payment.currency,
        "reference": payment.reference,
    }


PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Zahlung (Simulator)</title></head>
<body><main>
<h1>Zahlung an {merchant}</h1>
<p>{description}: <strong>{amount} {currency}</strong></p>
<p>Dies ist der Zahlungsdienst-Simulator der Entwicklungsumgebung; es fließt kein Geld.</p>
<form method="post" action="/pay/{ref}?outcome=paid"><button>Bezahlen</button></form>
<form method="post" action="/pay/{ref}?outcome=cancelled"><button>Abbrechen</button></form>
</main></body></html>
"""


def app(simulator: PaymentSimulator) -> FastAPI:
    """The simulator's HTTP side."""
    api = FastAPI(title="Zahlungsdienst-Simulator", docs_url=None, redoc_url=None)

    @api.post("/api/payments")
    async def order(request: Request) -> Response:
        value = simulator._verified(await request.body(), request.headers)
        if value is None:
            return JSONResponse({"error": "signature"}, status_code=401)
        ref = f"sim_{secrets.token_hex(8)}"
        fields = ("payment_id", "reference", "amount", "currency", "description")
        simulator.payments[ref] = SimulatedPayment(
            provider_reference=ref,
            merchant=str(value["merchant"]),
            return_url=str(value["return_url"]),
            notification_url=str(value["notification_url"]),
            **{name: str(value[name]) for name in fields},
        )
        redirect = f"{simulator.url}/pay/{ref}"
        return JSONResponse({"provider_reference": ref, "redirect_url": redirect}, 201)

    @api.get("/pay/{ref}")
    async def page(ref: str) -> Response:
        payment = simulator.payments.get(ref)
        if payment is None:
            return HTMLResponse("<p>Unbekannte Zahlung.</p>", status_code=404)
        shown = {k: html.escape(v) for k, v in _report(payment, payment.status).items()}
        text = PAGE.format(ref=ref, description=html.escape(payment.description), **shown)
        return HTMLResponse(text)

    @api.post("/pay/{ref}")
    async def pay(ref: str, outcome: str) -> Response:
        if ref not in simulator.payments or outcome not in ("paid", "cancelled", "failed"):
            return JSONResponse({"error": "unknown"}, status_code=404)
        return RedirectResponse(await simulator._pay(ref, outcome), status_code=303)

    @api.post("/api/payments/{ref}/status")
    async def status(ref: str, request: Request) -> Response:
        value = simulator._verified(await request.body(), request.headers)
        payment = simulator.payments.get(ref)
        if value is None or payment is None or payment.merchant != value["merchant"]:
            return JSONResponse({"error": "signature or payment"}, status_code=401)
        body, headers = simulator.signed_report(ref)
        return Response(body, headers=headers)

    return api


def member_keys(members_dir: str, environ: Mapping[str, str]) -> dict[str, bytes]:
    """The keys of the member towns whose provider is the simulator, by merchant."""
    keys = {}
    for member in read_member_files(members_dir):
        section = member.get("billing", {}).get("payment") or {}
        if section.get("provider") == SIMULATOR:
            key = environ.get(str(section.get("key_env", "")), "") or DEV_PAYMENT_KEY
            keys[str(section["merchant"])] = key.encode()
    return keys


def main() -> None:
    """Serve the simulator for the member towns until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--members", default=os.environ.get("RATHAUS_MEMBERS_DIR", "deploy/members")
    )
    options = parser.parse_args()
    simulator = PaymentSimulator(member_keys(options.members, os.environ), port=options.port)
    uvicorn.run(app(simulator), host=simulator.host, port=options.port, log_level="info")


if __name__ == "__main__":
    main()
