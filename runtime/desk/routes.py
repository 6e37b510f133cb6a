"""The desk shell's own routes: sign in, the issuer's callback, sign out, the stylesheet.

``GET  /desk/anmelden?ziel=/desk/…``  to the issuer (back to ``ziel`` afterwards)
``GET  /auth/callback``                the issuer's answer: code → tokens → session
``POST /desk/abmelden``                session cleared; at the issuer too, if it offers that
``GET  /desk/abgemeldet``              "Sie sind abgemeldet"
``GET  /desk/static/desk.css``         the one stylesheet (and ``desk.<hash>.css``, immutable)
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import structlog
from fastapi import APIRouter, Header, Request
from fastapi.responses import RedirectResponse, Response

from runtime.auth import IssuerUnreachable, TokenVerifier
from runtime.desk.access import DeskRefusal, session_of
from runtime.desk.csrf import desk_router, open_without_session
from runtime.desk.session import DeskSession, new_session
from runtime.desk.signin import (
    PENDING_SECONDS,
    PendingSignIn,
    SignInFailed,
    authorization_url,
    end_session_url,
    exchange_code,
    identity_from_tokens,
    remember,
    safe_return_path,
    start_sign_in,
    take,
)

if TYPE_CHECKING:
    from runtime.desk.shell import Desk

log = structlog.get_logger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
PENDING_COOKIE = "rathaus-anmeldung"
SIGNED_OUT_PATH = "/desk/abgemeldet"
STYLESHEET_TYPE = "text/css; charset=utf-8"

UNAVAILABLE = DeskRefusal(
    503,
    "Anmeldung gerade nicht möglich",
    "Der Identitätsanbieter ist nicht erreichbar oder für diesen Dienst nicht eingerichtet. "
    "Bitte versuchen Sie es in einigen Minuten erneut.",
)
FAILED = DeskRefusal(
    502,
    "Anmeldung fehlgeschlagen",
    "Die Anmeldung konnte nicht abgeschlossen werden. Bitte melden Sie sich erneut an.",
)
STALE = DeskRefusal(
    400,
    "Anmeldung abgelaufen",
    "Diese Anmeldung wurde nicht in diesem Browser begonnen oder hat zu lange gedauert. "
    "Bitte melden Sie sich erneut an.",
)
CANCELLED = DeskRefusal(
    401, "Anmeldung abgebrochen", "Sie haben die Anmeldung abgebrochen; Sie sind nicht angemeldet."
)


@dataclass(frozen=True)
class Stylesheet:
    """The desk's stylesheet, with its content hash for an address that never changes."""

    body: bytes
    version: str

    @classmethod
    def load(cls, path: Path = STATIC / "desk.css") -> Stylesheet:
        """Read it once at start."""
        body = path.read_bytes()
        return cls(body, hashlib.sha256(body).hexdigest()[:12])

    @property
    def url(self) -> str:
        """The immutable address pages link to."""
        return f"/desk/static/desk.{self.version}.css"

    def response(self, cache: str, if_none_match: str | None) -> Response:
        """The file, or 304 if the browser has this version."""
        etag = f'"{self.version}"'
        headers = {"Cache-Control": cache, "ETag": etag}
        if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=STYLESHEET_TYPE, headers=headers)


def pending_sign_ins(desk: Desk, request: Request) -> list[PendingSignIn]:
    """The sign-ins this browser has started and not finished (from their sealed cookie)."""
    payload = desk.seal.open("sign-in", desk.cookies.read(request, PENDING_COOKIE)) or {}
    flows = payload.get("flows")
    found = [PendingSignIn.from_payload(item) for item in flows] if isinstance(flows, list) else []
    return [item for item in found if item is not None]


def keep_pending(desk: Desk, response: Response, pending: list[PendingSignIn]) -> None:
    """Write the unfinished sign-ins back (or clear their cookie when none is left)."""
    if not pending:
        desk.cookies.clear(response, PENDING_COOKIE)
        return
    flows = {"flows": [item.payload() for item in pending]}
    value = desk.seal.seal("sign-in", flows, int(time.time()) + PENDING_SECONDS)
    desk.cookies.put(response, PENDING_COOKIE, value, PENDING_SECONDS)


def shell_router(desk: Desk) -> APIRouter:
    """The routes every desk service serves the same way."""
    shell = desk_router(prefix="")
    stylesheet = desk.stylesheet

    @shell.get("/desk/anmelden")
    async def sign_in(request: Request, ziel: str | None = None) -> Response:
        """Send the browser to the issuer; straight on if already signed in."""
        target = safe_return_path(ziel)
        if session_of(request) is not None:
            return RedirectResponse(target, 303)
        if desk.provider is None:
            raise UNAVAILABLE
        try:
            provider = await desk.provider.get()
        except IssuerUnreachable as exc:
            log.warning("issuer discovery failed", error=str(exc))
            raise UNAVAILABLE from None
        pending = start_sign_in(target)
        url = authorization_url(
            provider, desk.client.client_id, desk.client.redirect_uri, desk.scopes, pending
        )
        response = RedirectResponse(url, 303)
        keep_pending(desk, response, remember(pending_sign_ins(desk, request), pending))
        return response

    @shell.get("/auth/callback")
    async def callback(
        request: Request, state: str = "", code: str = "", error: str = ""
    ) -> Response:
        """The issuer's answer: the code becomes a session, the browser goes where it wanted."""
        pending = pending_sign_ins(desk, request)
        started = take(pending, state)
        if started is None:
            raise STALE
        if error or not code:
            log.info("sign-in not completed at the issuer", error=error or "no code")
            raise CANCELLED if error == "access_denied" else FAILED
        session = await _session_for(desk, request, code, started)
        response = RedirectResponse(started.return_to, 303)
        desk.sessions.write(response, session, time.time())
        keep_pending(desk, response, [item for item in pending if item is not started])
        return response

    @shell.post("/desk/abmelden")
    @open_without_session
    async def sign_out(request: Request) -> Response:
        """Clear the session; then sign out at the issuer, if it offers that, and come back."""
        session = session_of(request)
        location = SIGNED_OUT_PATH
        if session is not None and desk.provider is not None:
            try:
                provider = await desk.provider.get()
                after = desk.settings.desk_base_url + SIGNED_OUT_PATH
                client_id = desk.client.client_id
                location = end_session_url(provider, client_id, after, session.id_token) or location
            except IssuerUnreachable as exc:  # signing out here must work with the issuer away
                log.warning("issuer discovery failed at sign-out", error=str(exc))
        response = RedirectResponse(location, 303)
        desk.sessions.clear(response)
        if session is not None:
            log.info("clerk signed out", subject=session.identity.subject)
        return response

    @shell.get(SIGNED_OUT_PATH)
    async def signed_out(request: Request) -> Response:
        """Where signing out ends."""
        return desk.page(request, "abgemeldet.html")

    @shell.get("/desk/static/desk.css")
    async def current_stylesheet(if_none_match: Annotated[str | None, Header()] = None) -> Response:
        """The stylesheet at its plain name: revalidated after five minutes."""
        return stylesheet.response("public, max-age=300", if_none_match)

    @shell.get("/desk/static/desk.{version}.css")
    async def pinned_stylesheet(
        version: str, if_none_match: Annotated[str | None, Header()] = None
    ) -> Response:
        """The stylesheet of exactly this content hash: cached for a year."""
        if version != stylesheet.version:
            raise DeskRefusal(404, "Nicht gefunden", "Diese Fassung des Stylesheets gibt es nicht.")
        return stylesheet.response("public, max-age=31536000, immutable", if_none_match)

    return shell


async def _session_for(
    desk: Desk, request: Request, code: str, started: PendingSignIn
) -> DeskSession:
    """Redeem the code and verify the tokens; a refusal page if anything does not hold."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if desk.provider is None or verifier is None:
        raise UNAVAILABLE
    try:
        provider = await desk.provider.get()
        tokens = await exchange_code(provider, desk.client, code, started)
        identity, expires_at = await identity_from_tokens(
            verifier, desk.client.client_id, tokens, started.nonce
        )
    except IssuerUnreachable:
        raise UNAVAILABLE from None
    except SignInFailed as exc:
        log.warning("sign-in failed", reason=str(exc))
        raise FAILED from None
    log.info("clerk signed in", subject=identity.subject, towns=list(identity.towns))
    return new_session(identity, expires_at, time.time(), tokens.get("id_token"))
