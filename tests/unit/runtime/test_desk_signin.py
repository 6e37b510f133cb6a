"""Signing in at the desk: PKCE, state, nonce, the tokens' checks and safe return paths.

No network: the issuer's discovery document and keys come from a fake ``fetch``; the keys
and tokens are real (RSA, signed as a provider would).
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from runtime.auth import IssuerUnreachable, TokenVerifier
from runtime.desk.signin import (
    DEFAULT_RETURN,
    PendingSignIn,
    Provider,
    ProviderMetadata,
    SignInFailed,
    authorization_url,
    end_session_url,
    identity_from_tokens,
    remember,
    safe_return_path,
    start_sign_in,
    take,
)

ISSUER = "https://id.example.org/realms/rathaus"
CLIENT = "rathaus-desk"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
PROVIDER = Provider(ISSUER, f"{ISSUER}/auth", f"{ISSUER}/token", f"{ISSUER}/logout")


async def fetch(url: str) -> dict[str, Any]:
    if url.endswith("/.well-known/openid-configuration"):
        return {
            "issuer": ISSUER,
            "jwks_uri": f"{ISSUER}/certs",
            "authorization_endpoint": f"{ISSUER}/auth",
            "token_endpoint": f"{ISSUER}/token",
        }
    return dict(KeySet([KEY]).as_dict(private=False))


def token(**claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "sub": "anton", "iat": now, "exp": now + 900, **claims}
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, body, KEY)


def tokens(access: dict[str, Any] | None = None, **id_claims: Any) -> dict[str, Any]:
    """A token answer as Keycloak gives it: roles and town in the access token."""
    access_claims = {"aud": "rathauscloud", "azp": CLIENT, "roles": ["clerk"], "ags": "14522020"}
    id_token = {"aud": CLIENT, "nonce": "n-1", "name": "Anton Augst", "email": "a@augustusburg.de"}
    return {
        "access_token": token(**{**access_claims, **(access or {})}),
        "id_token": token(**{**id_token, **id_claims}),
    }


def verifier() -> TokenVerifier:
    return TokenVerifier(ISSUER, "rathauscloud", fetch=fetch)


def test_the_pkce_challenge_is_rfc_7636_s256() -> None:
    """RFC 7636, Appendix B: the example verifier and its challenge."""
    pending = PendingSignIn("s", "n", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "/desk/")
    assert pending.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_every_sign_in_has_fresh_unguessable_values() -> None:
    one, other = start_sign_in("/desk/"), start_sign_in("/desk/")
    assert {one.state, one.nonce, one.verifier}.isdisjoint({other.state, other.nonce})
    assert 43 <= len(one.verifier) <= 128
    assert re.fullmatch(r"[A-Za-z0-9\-._~]+", one.verifier)  # RFC 7636 §4.1
    assert len(one.state) >= 32
    assert len(one.nonce) >= 32


def test_the_authorization_request_carries_state_nonce_and_the_s256_challenge() -> None:
    pending = start_sign_in("/desk/vorgaenge")
    url = authorization_url(PROVIDER, CLIENT, "https://c.example/auth/callback", "openid", pending)
    assert url.startswith(f"{ISSUER}/auth?")
    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert query == {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": "https://c.example/auth/callback",
        "scope": "openid",
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": pending.challenge,
        "code_challenge_method": "S256",
    }
    assert pending.verifier not in url


def test_only_a_state_this_browser_started_counts() -> None:
    started = [start_sign_in(None) for _ in range(4)]
    kept: list[PendingSignIn] = []
    for pending in started:
        kept = remember(kept, pending)
    assert kept == started[1:]  # the oldest is dropped
    assert take(kept, started[2].state) is started[2]
    assert take(kept, started[0].state) is None
    assert take(kept, "") is None
    assert take(kept, started[2].state[:-1]) is None


def test_a_pending_sign_in_survives_its_cookie_and_its_return_path_is_checked_again() -> None:
    pending = start_sign_in("/desk/vorgaenge?seite=2")
    assert PendingSignIn.from_payload(pending.payload()) == pending
    forged = {**pending.payload(), "r": "https://evil.example/"}
    restored = PendingSignIn.from_payload(forged)
    assert restored is not None
    assert restored.return_to == DEFAULT_RETURN
    assert PendingSignIn.from_payload({"s": "x"}) is None


@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/vorgaenge?status=offen&seite=2", "/desk/vorgaenge/1#verlauf"]
)
def test_a_path_on_this_site_is_where_the_clerk_returns(path: str) -> None:
    assert safe_return_path(path) == path


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/desk/",
        "//evil.example/desk/",
        "/\\evil.example",
        "\\\\evil.example",
        "/desk/\r\nSet-Cookie: x=1",
        "/desk/\tx",
        "javascript:alert(1)",
        "desk/",
        "http:/evil.example",
        "/" + "a" * 2100,
    ],
)
def test_anything_else_returns_to_the_desk_home(target: str | None) -> None:
    assert safe_return_path(target) == DEFAULT_RETURN


async def test_verified_tokens_name_the_clerk_with_town_roles_and_address() -> None:
    identity, expires_at = await identity_from_tokens(verifier(), CLIENT, tokens(), "n-1")
    assert identity.subject == "anton"
    assert identity.name == "Anton Augst"  # from the ID token: the access token has no name
    assert identity.email == "a@augustusburg.de"
    assert identity.roles == {"clerk"}
    assert identity.towns == ("14522020",)
    assert identity.client_id is None
    assert expires_at > 0


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"nonce": "n-2"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"aud": "another-client"}, "aud"),
        ({"aud": [CLIENT, "another"], "azp": "another"}, "azp"),
        ({"sub": "somebody-else"}, "subjects"),
        ({"access": {"aud": "another-api"}}, "aud"),
        ({"access": {"iss": "https://evil.example"}}, "iss"),
    ],
)
async def test_a_token_that_does_not_fit_this_sign_in_is_refused(
    changes: dict[str, Any], why: str
) -> None:
    answer = tokens(**changes)  # minted now: tokens made at collection expire in a long run
    with pytest.raises(SignInFailed, match=why):
        await identity_from_tokens(verifier(), CLIENT, answer, "n-1")


async def test_a_token_signed_by_another_key_is_refused() -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    forged = tokens()
    body = {"iss": ISSUER, "sub": "anton", "aud": CLIENT, "nonce": "n-1", "exp": 2**31}
    forged["id_token"] = jwt.encode({"alg": "RS256", "kid": "k1"}, body, stranger)
    with pytest.raises(SignInFailed, match="BadSignature"):
        await identity_from_tokens(verifier(), CLIENT, forged, "n-1")


def test_signing_out_at_the_issuer_names_the_client_and_where_to_return() -> None:
    url = end_session_url(PROVIDER, CLIENT, "https://c.example/desk/abgemeldet", "id.token")
    assert url is not None
    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert query == {
        "client_id": CLIENT,
        "post_logout_redirect_uri": "https://c.example/desk/abgemeldet",
        "id_token_hint": "id.token",
    }
    without = Provider(ISSUER, f"{ISSUER}/auth", f"{ISSUER}/token")
    assert end_session_url(without, CLIENT, "https://c.example/", None) is None


async def test_the_endpoints_come_from_the_discovery_document_of_exactly_this_issuer() -> None:
    provider = await ProviderMetadata(ISSUER, fetch=fetch).get()
    assert (provider.authorization_endpoint, provider.end_session_endpoint) == (
        f"{ISSUER}/auth",
        None,
    )
    with pytest.raises(IssuerUnreachable, match="names issuer"):
        await ProviderMetadata(ISSUER + "/other", fetch=fetch).get()


def test_the_challenge_is_the_hash_of_the_verifier() -> None:
    pending = start_sign_in(None)
    digest = hashlib.sha256(pending.verifier.encode()).digest()
    assert base64.urlsafe_b64decode(pending.challenge + "=") == digest
