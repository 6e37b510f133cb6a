"""Signing a clerk in by OpenID Connect: authorization code with PKCE, ``state`` and ``nonce``.

The protocol, in the order it happens:

1. ``/desk/anmelden`` makes a ``PendingSignIn`` — a random ``state`` (ties the answer to this
   browser), ``nonce`` (ties the ID token to this request) and PKCE verifier (ties the code
   to whoever asked for it) — keeps it in a short-lived sealed cookie, and sends the browser
   to the issuer's ``authorization_endpoint`` with the S256 challenge.
2. The issuer sends it back to ``/auth/callback`` with ``code`` and ``state``; only a state
   this browser started counts.
3. ``exchange_code`` redeems the code at the ``token_endpoint`` with the verifier (and the
   client's secret, unless it is a public client).
4. ``identity_from_tokens`` verifies both tokens with the issuer's keys: the access token
   for the API's audience (as any bearer token), the ID token for this client, with the
   nonce. Roles, towns and procedures come from the access token's claims, by the same
   ``ClaimMapping`` as for the API.

Nothing here is specific to the development issuer: the endpoints come from the discovery
document, so Keycloak or the state's identity service work by configuration alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx

from runtime.auth import Fetch, Identity, InvalidToken, IssuerUnreachable, TokenVerifier, fetch_json

MAX_PENDING = 3
"""Sign-ins started in other tabs that still count (the oldest is dropped)."""
PENDING_SECONDS = 600
DEFAULT_RETURN = "/desk/"
MAX_RETURN_LENGTH = 2000


class SignInFailed(Exception):
    """The sign-in could not be completed; ``str(exc)`` says why (for the log only)."""


@dataclass(frozen=True)
class Provider:
    """Where the issuer's endpoints are (from its discovery document)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str | None = None


class ProviderMetadata:
    """The issuer's discovery document, read when first needed and again after an hour."""

    def __init__(
        self,
        issuer: str,
        fetch: Fetch = fetch_json,
        clock: Callable[[], float] = time.monotonic,
        max_age: float = 3600.0,
    ) -> None:
        self.issuer = issuer
        self._fetch = fetch
        self._clock = clock
        self._max_age = max_age
        self._provider: Provider | None = None
        self._fetched_at = float("-inf")

    async def get(self) -> Provider:
        """The endpoints; ``IssuerUnreachable`` if the document cannot be read or is wrong."""
        if self._provider is None or self._clock() - self._fetched_at > self._max_age:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                self._provider = _provider(self.issuer, await self._fetch(url))
            except Exception as exc:
                raise IssuerUnreachable(f"{url}: {type(exc).__name__}: {exc}") from None
            self._fetched_at = self._clock()
        return self._provider


def _provider(issuer: str, document: dict[str, Any]) -> Provider:
    if document.get("issuer") != issuer:
        raise ValueError(f"the discovery document names issuer {document.get('issuer')!r}")
    return Provider(
        issuer=issuer,
        authorization_endpoint=str(document["authorization_endpoint"]),
        token_endpoint=str(document["token_endpoint"]),
        end_session_endpoint=document.get("end_session_endpoint") or None,
    )


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in this browser started: what the answer must match, and where to go after."""

    state: str
    nonce: str
    verifier: str
    return_to: str

    @property
    def challenge(self) -> str:
        """The PKCE S256 challenge of the verifier (RFC 7636 §4.2)."""
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def payload(self) -> dict[str, str]:
        """As kept in the sign-in cookie."""
        return {"s": self.state, "n": self.nonce, "v": self.verifier, "r": self.return_to}

    @classmethod
    def from_payload(cls, item: Any) -> PendingSignIn | None:
        """From the sign-in cookie; ``None`` if it is not one."""
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in "snvr"):
            return None
        return cls(item["s"], item["n"], item["v"], safe_return_path(item["r"]))


def start_sign_in(return_to: str | None) -> PendingSignIn:
    """A new sign-in with fresh random values (the verifier: 43+ characters, RFC 7636)."""
    return PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        return_to=safe_return_path(return_to),
    )


def remember(pending: list[PendingSignIn], new: PendingSignIn) -> list[PendingSignIn]:
    """The sign-ins to keep: the new one and the most recent others."""
    return [*pending, new][-MAX_PENDING:]


def take(pending: list[PendingSignIn], state: str) -> PendingSignIn | None:
    """The sign-in this ``state`` belongs to, compared in constant time."""
    found = None
    for item in pending:
        if hmac.compare_digest(item.state.encode(), state.encode()):
            found = item
    return found


def safe_return_path(value: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site.

    Only an absolute path (``/desk/…``, with a query) passes; ``//evil.example``,
    ``/\\evil.example``, ``https://…``, control characters and overlong values fall back
    to the desk's home — an open redirect would hand a phishing page our sign-in.
    """
    if not value or len(value) > MAX_RETURN_LENGTH or not value.startswith("/"):
        return DEFAULT_RETURN
    if value.startswith("//") or "\\" in value or any(c <= " " or c == "\x7f" for c in value):
        return DEFAULT_RETURN
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return DEFAULT_RETURN
    return value


def authorization_url(
    provider: Provider, client_id: str, redirect_uri: str, scopes: str, pending: PendingSignIn
) -> str:
    """Where to send the browser to sign in."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scopes,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": pending.challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return f"{provider.authorization_endpoint}{separator}{query}"


def end_session_url(
    provider: Provider, client_id: str, after: str, id_token: str | None
) -> str | None:
    """RP-initiated logout at the issuer, if it offers it (OpenID Connect RP-Initiated Logout)."""
    if not provider.end_session_endpoint:
        return None
    query = {"client_id": client_id, "post_logout_redirect_uri": after}
    if id_token:
        query["id_token_hint"] = id_token
    separator = "&" if "?" in provider.end_session_endpoint else "?"
    return f"{provider.end_session_endpoint}{separator}{urlencode(query)}"


@dataclass(frozen=True)
class Client:
    """The desk's registration at the issuer."""

    client_id: str
    secret: str | None
    redirect_uri: str


async def exchange_code(
    provider: Provider, client: Client, code: str, pending: PendingSignIn
) -> dict[str, Any]:
    """The token endpoint's answer for the code; ``SignInFailed`` if there is none."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": client.redirect_uri,
        "code_verifier": pending.verifier,
    }
    headers = {"Accept": "application/json"}
    if client.secret is None:
        form["client_id"] = client.client_id  # a public client: PKCE is its proof
    else:  # client_secret_basic; RFC 6749 §2.3.1 form-encodes both parts first
        pair = f"{quote(client.client_id, safe='')}:{quote(client.secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    try:
        async with httpx.AsyncClient(timeout=10.0) as http:
            answer = await http.post(provider.token_endpoint, data=form, headers=headers)
        tokens = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInFailed(f"token endpoint unreachable or unreadable: {exc}") from None
    if answer.status_code != 200 or not isinstance(tokens, dict):
        error = tokens.get("error") if isinstance(tokens, dict) else None
        raise SignInFailed(f"token endpoint answered {answer.status_code} ({error})")
    if not isinstance(tokens.get("access_token"), str) or not isinstance(
        tokens.get("id_token"), str
    ):
        raise SignInFailed("the token answer lacks the access token or the ID token")
    return tokens


async def identity_from_tokens(
    verifier: TokenVerifier, client_id: str, tokens: dict[str, Any], nonce: str
) -> tuple[Identity, int]:
    """Who signed in and until when their access token holds; ``SignInFailed`` otherwise."""
    try:
        access = await verifier.verified_claims(tokens["access_token"])
        id_claims = await verifier.verified_claims(tokens["id_token"], audience=client_id)
    except InvalidToken as exc:
        raise SignInFailed(f"token refused: {exc}") from None
    if not hmac.compare_digest(str(id_claims.get("nonce", "")).encode(), nonce.encode()):
        raise SignInFailed("the ID token's nonce is not the one this sign-in sent")
    audiences = id_claims["aud"] if isinstance(id_claims["aud"], list) else [id_claims["aud"]]
    if len(audiences) > 1 and id_claims.get("azp") != client_id:
        raise SignInFailed("the ID token was issued to another party (azp)")
    if id_claims["sub"] != access["sub"]:
        raise SignInFailed("the ID token and the access token name different subjects")
    identity = verifier.mapping.identity(access, verifier.issuer)
    return replace(identity, **_person(access, id_claims)), int(access["exp"])


def _person(access: dict[str, Any], id_claims: dict[str, Any]) -> dict[str, Any]:
    """Name and address from either token: some providers put them in the ID token only
    (an access token without ``name`` would otherwise show the client's id as the name)."""

    def first(*claims: str) -> str | None:
        for claim in claims:
            for source in (access, id_claims):
                value = source.get(claim)
                if isinstance(value, str) and value.strip():
                    return value
        return None

    return {
        "name": first("name", "preferred_username") or str(access["sub"]),
        "email": first("email"),
        "client_id": None,
    }
