"""Cross-site request forgery: no other site can make a clerk's browser change anything.

Two checks on every request with an unsafe method (anything but GET, HEAD, OPTIONS) to a
desk route, before the route sees it:

- it comes from a page of this desk: ``Origin`` (or, where a browser sends none,
  ``Referer``) is the desk's own origin. Desk pages send ``Referrer-Policy: same-origin``,
  under which browsers send ``Origin`` on their own forms (``no-referrer`` would make it
  ``null``);
- it carries the session's synchronizer token, as the hidden form field ``csrf``
  (``{{ csrf_field() }}`` in a template) or the header ``X-CSRF-Token`` (htmx).

Either missing: a German 403 page, nothing done. Without a session at all the route is not
reached either (401 page), except for signing out, which has nothing left to protect.

The checks live in the route class (``DeskRoute``, as ``runtime.http.JsonRoute`` checks JSON
bodies), so every route of a router made by ``desk_router`` has them without asking; the
form is parsed once and FastAPI reads the same parsed form for the route's ``Form`` fields.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from runtime.desk.access import DeskRefusal, desk_of, not_signed_in, session_of
from runtime.desk.session import DeskSession

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
_OPEN_ATTRIBUTE = "__desk_open_without_session__"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-case (default ports left out)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme.lower()}://{parts.hostname.lower()}{port}"


def same_origin(headers: Any, own_origin: str) -> bool:
    """Whether the request says it comes from a page of ``own_origin``."""
    origin = headers.get("origin")
    if origin and origin != "null":
        return origin_of(origin) == own_origin
    referer = headers.get("referer")
    return bool(referer) and origin_of(referer) == own_origin


def token_matches(session: DeskSession, submitted: Any) -> bool:
    """Whether ``submitted`` is the session's token (in constant time)."""
    if not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(submitted.encode(), session.csrf.encode())


def open_without_session(endpoint: Endpoint) -> Endpoint:
    """Let a route's unsafe method through without a session (signing out only)."""
    setattr(endpoint, _OPEN_ATTRIBUTE, True)
    return endpoint


FORGED = DeskRefusal(
    403,
    "Anfrage abgelehnt",
    "Die Sicherheitsprüfung dieses Formulars ist fehlgeschlagen (es kam nicht von dieser "
    "Seite oder ist veraltet). Es wurde nichts gespeichert. Bitte laden Sie die Seite neu "
    "und senden Sie das Formular erneut.",
)


async def check_request(request: Request, open_route: bool) -> None:
    """Refuse an unsafe request that is not from this desk or lacks the session's token."""
    if request.method in SAFE_METHODS:
        return
    if not same_origin(request.headers, desk_of(request).origin):
        raise FORGED
    session = session_of(request)
    if session is None:
        if open_route:
            return
        raise not_signed_in(request)
    submitted: Any = request.headers.get(CSRF_HEADER)
    if submitted is None and _is_form(request):
        submitted = (await request.form()).get(CSRF_FIELD)
    if not token_matches(session, submitted):
        raise FORGED


def _is_form(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type in ("application/x-www-form-urlencoded", "multipart/form-data")


class DeskRoute(APIRoute):
    """A desk route: its unsafe methods pass the CSRF checks before the endpoint runs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, behind the checks."""
        handle = super().get_route_handler()
        open_route = bool(getattr(self.endpoint, _OPEN_ATTRIBUTE, False))

        async def checked(request: Request) -> Response:
            await check_request(request, open_route)
            return await handle(request)

        return checked


def desk_router(prefix: str = "/desk") -> APIRouter:
    """A router for desk pages: CSRF-checked routes, left out of the API's OpenAPI."""
    return APIRouter(prefix=prefix, route_class=DeskRoute, include_in_schema=False)
