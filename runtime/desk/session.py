"""The clerk's session: who signed in, until when, and the token their forms must carry.

It lives in a sealed cookie (``runtime.desk.sealing``), not on the server: every instance of
a service reads it the same way, nothing is stored per clerk, and a restart signs nobody
out. It ends when the issuer's access token ends, and after eight hours at the latest (a
working day), whatever the issuer says. Signing out clears it; there is nothing to revoke.

Cookie attributes: ``HttpOnly`` (no script reads it), ``SameSite=Lax`` (another site's form
does not carry it), ``Path=/``; when the desk is served over https also ``Secure`` and the
``__Host-`` name prefix, which a browser keeps only for exactly this host.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from runtime.auth import Identity
from runtime.desk.sealing import CookieSeal

MAX_SESSION_SECONDS = 8 * 3600
SESSION_COOKIE = "rathaus-sitzung"
SESSION_PURPOSE = "session"


@dataclass(frozen=True)
class DeskSession:
    """A signed-in clerk's session."""

    identity: Identity
    csrf: str
    """The synchronizer token every form of this session posts as ``csrf``."""
    expires_at: int
    id_token: str | None = None
    """Kept (if it fits) as ``id_token_hint`` for signing out at the issuer."""

    def payload(self) -> dict[str, Any]:
        """What the cookie holds (without ``exp``, which the seal adds)."""
        who = self.identity
        payload: dict[str, Any] = {
            "sub": who.subject,
            "name": who.name,
            "email": who.email,
            "roles": sorted(who.roles),
            "towns": list(who.towns),
            "procedures": list(who.procedures),
            "iss": who.issuer,
            "csrf": self.csrf,
        }
        if self.id_token:
            payload["idt"] = self.id_token
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DeskSession | None:
        """The session a cookie's payload describes, or ``None`` if it is not one."""
        try:
            identity = Identity(
                subject=str(payload["sub"]),
                name=str(payload["name"]),
                email=payload.get("email"),
                roles=frozenset(str(role) for role in payload["roles"]),
                towns=tuple(str(town) for town in payload["towns"]),
                procedures=tuple(str(p) for p in payload["procedures"]),
                issuer=str(payload["iss"]),
            )
            return cls(identity, str(payload["csrf"]), int(payload["exp"]), payload.get("idt"))
        except (KeyError, TypeError, ValueError):
            return None


def new_session(
    identity: Identity, token_expires_at: int, now: float, id_token: str | None = None
) -> DeskSession:
    """A fresh session (and CSRF token) ending with the token, or after eight hours."""
    expires_at = min(int(token_expires_at), int(now) + MAX_SESSION_SECONDS)
    return DeskSession(identity, secrets.token_urlsafe(32), expires_at, id_token)


@dataclass(frozen=True)
class Cookies:
    """How this desk names and sets its cookies (``__Host-`` and ``Secure`` over https)."""

    secure: bool

    def name(self, base: str) -> str:
        """The cookie's name as the browser sees it."""
        return f"__Host-{base}" if self.secure else base

    def read(self, request: Request, base: str) -> str | None:
        """The cookie's value in the request, if any."""
        return request.cookies.get(self.name(base))

    def put(self, response: Response, base: str, value: str, max_age: int) -> None:
        """Set the cookie on ``response``."""
        response.set_cookie(
            self.name(base),
            value,
            max_age=max(0, max_age),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear(self, response: Response, base: str) -> None:
        """Tell the browser to forget the cookie."""
        response.delete_cookie(
            self.name(base), path="/", secure=self.secure, httponly=True, samesite="lax"
        )


class SessionStore:
    """Reads and writes the session cookie."""

    def __init__(self, seal: CookieSeal, cookies: Cookies) -> None:
        self.seal = seal
        self.cookies = cookies

    def read(self, request: Request) -> DeskSession | None:
        """The request's valid session; ``None`` if absent, tampered, foreign or expired."""
        payload = self.seal.open(SESSION_PURPOSE, self.cookies.read(request, SESSION_COOKIE))
        return DeskSession.from_payload(payload) if payload is not None else None

    def write(self, response: Response, session: DeskSession, now: float) -> None:
        """Set the session cookie; without the ID token if the cookie would grow too large."""
        value = self.seal.seal(SESSION_PURPOSE, session.payload(), session.expires_at)
        if len(value) > 3600 and session.id_token:
            trimmed = DeskSession(session.identity, session.csrf, session.expires_at)
            value = self.seal.seal(SESSION_PURPOSE, trimmed.payload(), session.expires_at)
        self.cookies.put(response, SESSION_COOKIE, value, session.expires_at - int(now))

    def clear(self, response: Response) -> None:
        """End the session in the browser."""
        self.cookies.clear(response, SESSION_COOKIE)
