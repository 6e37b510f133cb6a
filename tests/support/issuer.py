"""The development issuer for the tests, and tokens of every kind a test needs.

One issuer (``python -m devstack.issuer``, the same process ``start`` runs) serves a whole
test run. Real tokens come from it (client credentials; a clerk's sign-in through the login
form with PKCE); tokens it would never issue — expired, from a foreign key, ``alg: none``,
tampered — are made here, with its own key where the test needs a real signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

from devstack.embedded import free_port
from devstack.issuer.directory import Directory
from devstack.issuer.keys import load_or_create_key
from devstack.issuer.process import OPERATOR_CLIENT, IssuerProcess

ROOT = Path(__file__).resolve().parents[2]
DESK_CLIENT = ("rathaus-desk", "dev-desk-secret")
DESK_CALLBACK = "http://127.0.0.1:9/auth/callback"
AUDIENCE = Directory.load().audience


@dataclass
class DevIssuer:
    """A running development issuer."""

    process: IssuerProcess

    @property
    def url(self) -> str:
        """Its URL, which is also every token's ``iss``."""
        return self.process.url

    def env(self) -> dict[str, str]:
        """What a service needs to trust this issuer."""
        return {"RATHAUS_OIDC_ISSUER": self.url, "RATHAUS_OIDC_AUDIENCE": AUDIENCE}

    def client_token(self, client: tuple[str, str] = OPERATOR_CLIENT) -> str:
        """An access token by client credentials (the operator client's by default)."""
        answer = httpx.post(
            f"{self.url}/token", data={"grant_type": "client_credentials"}, auth=client
        )
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token

    def sign_in(self, username: str, password: str | None = None) -> dict[str, Any]:
        """Sign a user in at the login form (authorization code with PKCE); the token answer."""
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        query = {
            "response_type": "code",
            "client_id": DESK_CLIENT[0],
            "redirect_uri": DESK_CALLBACK,
            "scope": "openid profile",
            "state": secrets.token_urlsafe(8),
            "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        with httpx.Client(base_url=self.url) as client:
            form = {"username": username, "password": password or username}
            answer = client.post("/authorize", params=query, data=form)
            assert answer.status_code == 302, answer.text
            code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
            tokens = client.post(
                "/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": DESK_CALLBACK,
                    "code_verifier": verifier,
                },
                auth=DESK_CLIENT,
            )
            tokens.raise_for_status()
            result: dict[str, Any] = tokens.json()
            return result

    def signing_key(self) -> RSAKey:
        """The issuer's own private key (from its data folder)."""
        return load_or_create_key(self.process.data_dir / "issuer")

    def mint(self, key: RSAKey | None = None, **claims: Any) -> str:
        """A token as this issuer would sign it (with its key unless ``key``), claims changed."""
        now = int(time.time())
        body = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "rathaus-operator",
            "iat": now,
            "exp": now + 300,
            "roles": ["operator"],
        }
        body.update(claims)
        signer = key or self.signing_key()
        return jwt.encode({"alg": "RS256", "kid": signer.kid}, body, signer)


def unsigned(claims: dict[str, Any]) -> str:
    """A forged token with ``alg: none`` and no signature."""
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."


def with_claims(token: str, **changes: Any) -> str:
    """The token with changed claims and its original signature (which no longer fits)."""
    header, _, signature = token.split(".")
    return f"{header}.{_part({**claims_of(token), **changes})}.{signature}"


def claims_of(token: str) -> dict[str, Any]:
    """A token's claims, unverified (to build forgeries from)."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * 3))
    return claims


def _part(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@contextmanager
def running_issuer(folder: Path) -> Iterator[DevIssuer]:
    """Start the development issuer with its data in ``folder``; stop it afterwards."""
    process = IssuerProcess(free_port(), folder, folder / "issuer.log", ROOT)
    process.start()
    try:
        yield DevIssuer(process.wait_ready())
    finally:
        process.stop()
