"""Which web pages may use intake's API from a browser: each town's own, and no other.

The widget runs inside a town's website — another origin than the suite — so browsers ask
(CORS). intake answers per town: a request about a town (``/api/v1/towns/{ags}/…``) is let
through only from the origins that town registered in the catalogue (``widget_origins``), a
tracking request only from those of the application's town; anything else under ``/api``
from origins some member registered. A browser request from any other origin is refused
with a German 403 before it does anything — not merely left unreadable, so a foreign page
cannot submit in a town's name either. The refusal itself is readable by the page that was
refused (``Access-Control-Allow-Origin`` names it), so the widget can tell "not registered"
from "unreachable"; it reveals nothing but that refusal. Requests without an ``Origin``
(programs, the suite's own pages) are not concerned.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from runtime.http import problem

Resolve = Callable[[str, str], Awaitable[bool]]
"""(origin, path) → whether a page of that origin may make this request."""

ALLOWED_METHODS = "GET, POST"
ALLOWED_HEADERS = "Content-Type, Idempotency-Key"
EXPOSED_HEADERS = "Retry-After"
TOWN_PATH = re.compile(r"^/api/v1/towns/(\d{8})(/|$)")
APPLICATION_PATH = re.compile(r"^/api/v1/applications/([0-9a-fA-F-]{36})(/|$)")


def town_of(path: str) -> str | None:
    """The AGS a path is about, if it is about one town."""
    found = TOWN_PATH.match(path)
    return found.group(1) if found else None


def application_of(path: str) -> str | None:
    """The application a tracking path is about (its status, or a step taken on it)."""
    found = APPLICATION_PATH.match(path)
    return found.group(1) if found else None


class TownOrigins:
    """ASGI middleware answering browsers per town (see the module's description)."""

    def __init__(self, app: ASGIApp, resolve: Resolve, own_origin: str) -> None:
        self.app = app
        self._resolve = resolve
        self._own = own_origin.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if not origin or origin == self._own:
            await self.app(scope, receive, send)
            return
        allowed = await self._resolve(origin, scope["path"])
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if not allowed:
            await _refused(origin, scope, receive, send)
        elif preflight:
            await _preflight(origin, send)
        else:
            await self.app(scope, receive, _with_cors(origin, send))


async def _refused(origin: str, scope: Scope, receive: Receive, send: Send) -> None:
    response = problem(
        403,
        "Keine Berechtigung.",
        "Diese Internetseite ist für die Anträge dieser Gemeinde nicht freigegeben.",
    )
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    await response(scope, receive, send)


async def _preflight(origin: str, send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
                (b"vary", b"Origin"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _with_cors(origin: str, send: Send) -> Send:
    async def sending(message: Any) -> None:
        if message["type"] == "http.response.start":
            message = {
                **message,
                "headers": [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
                    (b"vary", b"Origin"),
                ],
            }
        await send(message)

    return sending
