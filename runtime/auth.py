"""Who is calling: OpenID Connect bearer tokens, verified against the issuer's published keys.

Operators (and, with the casework desk, clerks) sign in at an OpenID Connect provider — the
development stack's own issuer (``devstack/issuer``), Keycloak, the state's identity service —
and send its JWT access token as ``Authorization: Bearer …``. A service trusts exactly one
issuer (``RATHAUS_OIDC_ISSUER``): it reads the issuer's discovery document for the JWKS
address, keeps the keys, and fetches them again when a token names a key it does not know
(a key rotation), at most once per ``refetch_interval``. A token counts only if

- it is signed with an asymmetric algorithm (RS256, ES256, EdDSA) by one of those keys — never
  ``none``, never an HMAC whose secret could be the public key;
- its ``iss`` is the issuer, its ``aud`` holds ``RATHAUS_OIDC_AUDIENCE``, it has a ``sub``,
  and ``exp`` / ``nbf`` / ``iat`` hold, with a small leeway for clocks that drift.

Where roles, town and procedures are in the token differs between providers (Keycloak puts
realm roles in ``realm_access.roles``), so the claim paths are settings (``ClaimMapping``).

Routes use the dependencies at the end: ``Operator`` for operator commands, ``SignedIn`` for
anyone signed in, ``requires_role(...)`` for other roles. Without a configured issuer every
such route refuses (fail closed).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.exceptions import HTTPException

from runtime.http import RETRY_AFTER_SECONDS

log = structlog.get_logger(__name__)

ALGORITHMS = ("RS256", "ES256", "EdDSA", "Ed25519")
"""Signature algorithms a token may use: asymmetric only (Ed25519 is EdDSA's RFC 9864 name)."""

OPERATOR_ROLE = "operator"
MAX_TOKEN_LENGTH = 16 * 1024

Fetch = Callable[[str], Awaitable[dict[str, Any]]]
"""GETs a URL and returns its JSON object (raises on any failure)."""


class InvalidToken(Exception):
    """The token does not prove who is calling; ``str(exc)`` says why (for the log only)."""


class IssuerUnreachable(Exception):
    """The issuer's discovery document or keys could not be read: try again later."""


@dataclass(frozen=True)
class Identity:
    """Who a verified token names, and what the issuer says they may do."""

    subject: str
    name: str
    roles: frozenset[str]
    towns: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    client_id: str | None = None
    issuer: str = ""
    email: str | None = None
    """The work address (``email`` claim): casework records it with a clerk's actions."""

    def has_role(self, *roles: str) -> bool:
        """Whether the identity holds any of ``roles``."""
        return bool(self.roles.intersection(roles))

    @property
    def operator_actor(self) -> str:
        """How events and records name this identity acting as an operator.

        The subject, not the display name: it is what the issuer guarantees to be unique and
        stable, so the record still says who it was after a rename.
        """
        return f"operator:{self.subject}"


@dataclass(frozen=True)
class ClaimMapping:
    """Where in the claims roles, towns (AGS) and procedures are; dotted paths."""

    roles: str = "roles"
    towns: str = "ags"
    procedures: str = "procedures"

    def identity(self, claims: Mapping[str, Any], issuer: str) -> Identity:
        """The identity the (already verified) claims describe."""
        subject = str(claims["sub"])
        client_id = claims.get("client_id") or claims.get("azp")
        name = claims.get("name") or claims.get("preferred_username") or client_id or subject
        email = claims.get("email")
        return Identity(
            subject=subject,
            name=str(name),
            roles=frozenset(_strings(claim_at(claims, self.roles))),
            towns=_strings(claim_at(claims, self.towns)),
            procedures=_strings(claim_at(claims, self.procedures)),
            client_id=str(client_id) if client_id else None,
            issuer=issuer,
            email=email if isinstance(email, str) and email else None,
        )


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (``realm_access.roles``), or ``None``."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _strings(value: Any) -> tuple[str, ...]:
    """A claim as a tuple of strings: a single string, a list of them, or nothing."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


async def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON object (the issuer's discovery document or key set)."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        response = await client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not answer with a JSON object")
    return document


class TokenVerifier:
    """Verifies bearer tokens of one issuer for one audience."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        mapping: ClaimMapping | None = None,
        *,
        leeway: int = 30,
        fetch: Fetch = fetch_json,
        clock: Callable[[], float] = time.time,
        refetch_interval: float = 30.0,
        max_key_age: float = 3600.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.mapping = mapping or ClaimMapping()
        self.leeway = leeway
        self._fetch = fetch
        self._clock = clock
        self._refetch_interval = refetch_interval
        self._max_key_age = max_key_age
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> Identity:
        """The identity a token proves; ``InvalidToken`` or ``IssuerUnreachable`` otherwise."""
        return self.mapping.identity(await self.verified_claims(token), self.issuer)

    async def verified_claims(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """A token's claims once signature, issuer, audience and times hold.

        ``audience`` other than the API's: an ID token is for the client that asked for it
        (the desk's sign-in), checked with the same keys.
        """
        header = _header_of(token)
        keys = await self._keys_for(header.get("kid"))
        try:
            verified = jwt.decode(token, keys, algorithms=ALGORITHMS)
            self._claims_registry(audience or self.audience).validate(verified.claims)
        except JoseError as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}") from None
        return dict(verified.claims)

    def _claims_registry(self, audience: str) -> jwt.JWTClaimsRegistry:
        return jwt.JWTClaimsRegistry(
            now=int(self._clock()),
            leeway=self.leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": audience},
            sub={"essential": True},
            exp={"essential": True},
        )

    async def _keys_for(self, kid: Any) -> KeySet:
        """The issuer's keys, fetched again if they are old or lack ``kid`` (rate-limited)."""
        async with self._lock:
            age = self._clock() - self._fetched_at
            unknown = self._keys is None or (kid is not None and not _has_kid(self._keys, kid))
            if age >= self._max_key_age or (unknown and age >= self._refetch_interval):
                try:
                    self._keys = await self._fetch_keys()
                    self._fetched_at = self._clock()
                except IssuerUnreachable:
                    if self._keys is None:
                        raise
                    # Keep the keys we have; ask again after the short interval, not at once.
                    self._fetched_at = self._clock() - self._max_key_age + self._refetch_interval
            assert self._keys is not None
            return self._keys

    async def _fetch_keys(self) -> KeySet:
        discovery_url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            discovery = await self._fetch(discovery_url)
            if discovery.get("issuer") != self.issuer:
                raise ValueError(
                    f"the discovery document names issuer {discovery.get('issuer')!r}, "
                    f"not {self.issuer!r} (RATHAUS_OIDC_ISSUER must be exactly the issuer)"
                )
            jwks = await self._fetch(str(discovery["jwks_uri"]))
            keys = KeySet.import_key_set({"keys": [k for k in jwks["keys"] if _signs(k)]})
        except Exception as exc:
            log.warning("cannot read the issuer's keys", issuer=self.issuer, error=str(exc))
            raise IssuerUnreachable(str(exc)) from None
        log.info("issuer keys fetched", issuer=self.issuer, keys=[k.kid for k in keys])
        return keys


def _header_of(token: str) -> dict[str, Any]:
    """The token's protected header, after refusing what is not worth verifying at all."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("token too long")
    try:
        header = dict(jws.extract_compact(token.encode()).protected)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise InvalidToken(f"not a JWS: {exc}") from None
    if header.get("alg") not in ALGORITHMS:
        raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
    return header


def _has_kid(keys: KeySet, kid: Any) -> bool:
    return any(key.kid == kid for key in keys)


def _signs(key: Any) -> bool:
    """Whether a published key is an asymmetric signing key (no ``oct``, no encryption key)."""
    return (
        isinstance(key, dict)
        and key.get("kty") in ("RSA", "EC", "OKP")
        and key.get("use", "sig") == "sig"
    )


# --- FastAPI dependencies ------------------------------------------------------------------

UNAUTHENTICATED_TITLE = "Anmeldung erforderlich."
FORBIDDEN_TITLE = "Keine Berechtigung."

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="OIDC-Zugangstoken",
    description=(
        "Ein Zugangstoken (JWT) des Identitätsanbieters der Installation "
        "(`RATHAUS_OIDC_ISSUER`), z. B. per Client Credentials geholt."
    ),
)


def _unauthenticated(detail: str, error: str | None = "invalid_token") -> HTTPException:
    challenge = 'Bearer realm="RathausCloud"'
    if error:
        challenge += f', error="{error}"'
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})


async def signed_in(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Identity:
    """The caller's verified identity; 401 without a valid token, 503 if the issuer is away."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if credentials is None:
        raise _unauthenticated(
            "Bitte melden Sie sich an: Es fehlt ein Zugangstoken (Authorization: Bearer …).",
            error=None,
        )
    if verifier is None:
        raise _unauthenticated(
            "Die Anmeldung ist für diesen Dienst nicht eingerichtet (RATHAUS_OIDC_ISSUER fehlt)."
        )
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        log.info("bearer token refused", reason=str(exc), path=request.url.path)
        raise _unauthenticated("Das Zugangstoken ist ungültig oder abgelaufen.") from None
    except IssuerUnreachable:
        raise HTTPException(
            503,
            "Der Identitätsanbieter ist gerade nicht erreichbar; das Zugangstoken kann nicht "
            "geprüft werden. Bitte versuchen Sie es in einigen Sekunden erneut.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None


async def identity_if_any(request: Request) -> Identity | None:
    """The caller's identity if a valid token came along, else ``None`` (never refuses)."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if verifier is None or scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return await verifier.verify(token.strip())
    except (InvalidToken, IssuerUnreachable):
        return None


SignedIn = Annotated[Identity, Depends(signed_in)]
"""Anyone with a valid token of the installation's issuer."""


def requires_role(*roles: str) -> Callable[[Identity], Awaitable[Identity]]:
    """A dependency: the signed-in identity, if it holds one of ``roles`` (else 403)."""

    async def check(identity: SignedIn) -> Identity:
        if not identity.has_role(*roles):
            wanted = " oder ".join(f"„{role}“" for role in roles)
            raise HTTPException(
                403, f"Diese Aktion ist der Rolle {wanted} vorbehalten; Ihr Zugang hat sie nicht."
            )
        return identity

    return check


Operator = Annotated[Identity, Depends(requires_role(OPERATOR_ROLE))]
"""An operator: signed in, with the role ``operator``."""


def token_verifier(
    issuer: str, audience: str, mapping: ClaimMapping | None = None
) -> TokenVerifier | None:
    """The verifier a service uses, or ``None`` when no issuer is configured (fail closed)."""
    if not issuer:
        log.warning("RATHAUS_OIDC_ISSUER is not set: operator endpoints refuse every request")
        return None
    return TokenVerifier(issuer, audience, mapping)
