"""Bearer-token verification: signature, algorithm, issuer, audience, time, keys, claims.

No network: the issuer's discovery document and JWKS come from a fake ``fetch``, the time
from a fake clock; the keys are real (RSA, EC P-256, Ed25519).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from runtime.auth import (
    ClaimMapping,
    Identity,
    InvalidToken,
    IssuerUnreachable,
    Operator,
    SignedIn,
    TokenVerifier,
)
from runtime.http import install_error_handlers

ISSUER = "https://id.example.org/realms/rathaus"
AUDIENCE = "rathauscloud"
NOW = 1_800_000_000

RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "alg": "RS256", "use": "sig"})
RSA_NEXT = RSAKey.generate_key(2048, parameters={"kid": "rsa-2", "alg": "RS256", "use": "sig"})
EC = ECKey.generate_key("P-256", parameters={"kid": "ec-1", "alg": "ES256"})
ED = OKPKey.generate_key("Ed25519", parameters={"kid": "ed-1"})
FOREIGN = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "alg": "RS256"})


class FakeIssuer:
    """Answers discovery and JWKS from memory; counts the JWKS fetches; can be down."""

    def __init__(self, *keys: Any) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.down = False
        self.issuer = ISSUER

    async def fetch(self, url: str) -> dict[str, Any]:
        if self.down:
            raise ConnectionError("issuer down")
        if url == ISSUER + "/.well-known/openid-configuration":
            return {"issuer": self.issuer, "jwks_uri": ISSUER + "/certs"}
        assert url == ISSUER + "/certs"
        self.fetches += 1
        return dict(KeySet(self.keys).as_dict(private=False))


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


def claims(**changes: Any) -> dict[str, Any]:
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "rathaus-operator",
        "iat": NOW - 10,
        "exp": NOW + 300,
        "roles": ["operator"],
        "name": "Betriebsskript",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: Any, alg: str = "RS256", **changes: Any) -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, claims(**changes), key, algorithms=[alg])


def verifier(issuer: FakeIssuer, clock: Clock | None = None, **kwargs: Any) -> TokenVerifier:
    return TokenVerifier(ISSUER, AUDIENCE, fetch=issuer.fetch, clock=clock or Clock(), **kwargs)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_token_names_the_operator_with_roles_towns_and_procedures() -> None:
    token = sign(RSA, ags="14729410", procedures=["gewerbeanmeldung"], client_id="cli")
    identity = await verifier(FakeIssuer(RSA)).verify(token)
    assert identity == Identity(
        subject="rathaus-operator",
        name="Betriebsskript",
        roles=frozenset({"operator"}),
        towns=("14729410",),
        procedures=("gewerbeanmeldung",),
        client_id="cli",
        issuer=ISSUER,
    )
    assert identity.operator_actor == "operator:rathaus-operator"


async def test_a_clerk_s_work_address_comes_from_the_email_claim() -> None:
    token = sign(RSA, roles=["clerk"], email="anton.augst@augustusburg.de")
    assert (await verifier(FakeIssuer(RSA)).verify(token)).email == "anton.augst@augustusburg.de"
    assert (await verifier(FakeIssuer(RSA)).verify(sign(RSA, email=""))).email is None


@pytest.mark.parametrize(
    ("key", "alg"), [(RSA, "RS256"), (EC, "ES256"), (ED, "EdDSA"), (ED, "Ed25519")]
)
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
async def test_every_asymmetric_algorithm_is_accepted(key: Any, alg: str) -> None:
    identity = await verifier(FakeIssuer(key)).verify(sign(key, alg))
    assert identity.has_role("operator")


async def test_alg_none_is_refused() -> None:
    forged = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    with pytest.raises(InvalidToken, match="'none' is not accepted"):
        await verifier(FakeIssuer(RSA)).verify(forged)


async def test_an_hmac_token_keyed_with_the_public_key_is_refused() -> None:
    """The classic confusion: the public key, known to all, used as an HMAC secret."""
    signed = f"{b64({'alg': 'HS256', 'kid': 'rsa-1'})}.{b64(claims())}"
    mac = hmac.new(RSA.as_pem(private=False), signed.encode(), hashlib.sha256).digest()
    forged = f"{signed}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken, match="'HS256' is not accepted"):
        await verifier(FakeIssuer(RSA)).verify(forged)


async def test_a_token_signed_by_another_key_with_the_same_kid_is_refused() -> None:
    with pytest.raises(InvalidToken, match="BadSignature"):
        await verifier(FakeIssuer(RSA)).verify(sign(FOREIGN))


async def test_a_tampered_claim_breaks_the_signature() -> None:
    header, _, signature = sign(RSA, roles=["clerk"]).split(".")
    tampered = f"{header}.{b64(claims(roles=['operator']))}.{signature}"
    with pytest.raises(InvalidToken, match="BadSignature"):
        await verifier(FakeIssuer(RSA)).verify(tampered)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"iss": "https://other.example.org"}, "iss"),
        ({"aud": "another-api"}, "aud"),
        ({"aud": None}, "aud"),
        ({"exp": None}, "exp"),
        ({"sub": None}, "sub"),
    ],
)
async def test_issuer_audience_expiry_and_subject_are_required(
    changes: dict[str, Any], why: str
) -> None:
    with pytest.raises(InvalidToken, match=why):
        await verifier(FakeIssuer(RSA)).verify(sign(RSA, **changes))


async def test_an_audience_list_holding_ours_is_accepted() -> None:
    await verifier(FakeIssuer(RSA)).verify(sign(RSA, aud=["account", AUDIENCE]))


async def test_expiry_and_not_before_allow_a_small_leeway_only() -> None:
    check = verifier(FakeIssuer(RSA), leeway=30)
    await check.verify(sign(RSA, exp=NOW - 20))
    await check.verify(sign(RSA, nbf=NOW + 20))
    with pytest.raises(InvalidToken, match="ExpiredToken"):
        await check.verify(sign(RSA, exp=NOW - 31))
    with pytest.raises(InvalidToken, match="not yet valid"):
        await check.verify(sign(RSA, nbf=NOW + 60))


async def test_a_rotated_key_is_fetched_once_when_a_token_names_it() -> None:
    issuer, clock = FakeIssuer(RSA), Clock()
    check = verifier(issuer, clock, refetch_interval=30)
    await check.verify(sign(RSA))
    assert issuer.fetches == 1
    issuer.keys = [RSA, RSA_NEXT]  # the issuer rotates
    clock.now += 31
    await check.verify(sign(RSA_NEXT))
    assert issuer.fetches == 2
    await check.verify(sign(RSA_NEXT))
    await check.verify(sign(RSA))
    assert issuer.fetches == 2


async def test_unknown_key_ids_cannot_make_it_fetch_more_than_once_per_interval() -> None:
    issuer, clock = FakeIssuer(RSA), Clock()
    check = verifier(issuer, clock, refetch_interval=30)
    await check.verify(sign(RSA))
    stranger = RSAKey.generate_key(2048, parameters={"kid": "nobody"})
    for _ in range(5):
        with pytest.raises(InvalidToken, match="nobody"):
            await check.verify(sign(stranger))
    assert issuer.fetches == 1
    clock.now += 30
    with pytest.raises(InvalidToken):
        await check.verify(sign(stranger))
    assert issuer.fetches == 2


async def test_an_issuer_that_is_away_is_unreachable_but_known_keys_keep_working() -> None:
    issuer, clock = FakeIssuer(RSA), Clock()
    issuer.down = True
    check = verifier(issuer, clock, max_key_age=3600)
    with pytest.raises(IssuerUnreachable):
        await check.verify(sign(RSA))
    issuer.down = False
    await check.verify(sign(RSA))
    issuer.down = True
    clock.now += 3600  # the keys are due again, the issuer is away: keep using them
    await check.verify(sign(RSA, exp=NOW + 4000))


async def test_a_discovery_document_for_another_issuer_is_not_trusted() -> None:
    issuer = FakeIssuer(RSA)
    issuer.issuer = "https://evil.example.org"
    with pytest.raises(IssuerUnreachable, match="names issuer"):
        await verifier(issuer).verify(sign(RSA))


async def test_garbage_is_an_invalid_token() -> None:
    for token in ("", "not-a-jwt", "a.b.c", "x" * 20_000):
        with pytest.raises(InvalidToken):
            await verifier(FakeIssuer(RSA)).verify(token)


def test_keycloak_realm_roles_are_found_by_the_configured_claim_path() -> None:
    mapping = ClaimMapping(roles="realm_access.roles", towns="ags")
    identity = mapping.identity(
        {
            "sub": "f1e2",
            "preferred_username": "anna",
            "realm_access": {"roles": ["operator", "offline_access"]},
            "ags": ["14729410", "14522020"],
        },
        ISSUER,
    )
    assert identity.roles == {"operator", "offline_access"}
    assert identity.name == "anna"
    assert identity.towns == ("14729410", "14522020")
    assert ClaimMapping().identity({"sub": "x", "roles": "operator"}, ISSUER).roles == {"operator"}


# --- The dependencies: German 401/403 bodies, the challenge header, fail closed -----------


def app_with(check: TokenVerifier | None) -> httpx.AsyncClient:
    app = FastAPI()
    app.state.token_verifier = check
    install_error_handlers(app)

    @app.get("/ops")
    async def ops(operator: Operator) -> dict[str, str]:
        return {"actor": operator.operator_actor}

    @app.get("/me")
    async def me(identity: SignedIn) -> dict[str, str]:
        return {"name": identity.name}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_token_the_answer_is_401_with_a_bearer_challenge() -> None:
    answer = await app_with(verifier(FakeIssuer(RSA))).get("/ops")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="RathausCloud"'
    assert answer.json()["title"] == "Anmeldung erforderlich."
    assert "Zugangstoken" in answer.json()["detail"]


async def test_an_invalid_token_is_401_invalid_token_and_a_missing_role_403() -> None:
    client = app_with(TokenVerifier(ISSUER, AUDIENCE, fetch=FakeIssuer(RSA).fetch))
    expired = await client.get("/ops", headers=bearer(sign(RSA, exp=1)))
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    assert expired.json()["detail"] == "Das Zugangstoken ist ungültig oder abgelaufen."
    clerk = sign(RSA, exp=4_000_000_000, iat=1, roles=["clerk"])
    refused = await client.get("/ops", headers=bearer(clerk))
    assert refused.status_code == 403
    assert refused.json()["title"] == "Keine Berechtigung."
    assert "„operator“" in refused.json()["detail"]
    assert (await client.get("/me", headers=bearer(clerk))).json() == {"name": "Betriebsskript"}
    operator = sign(RSA, exp=4_000_000_000, iat=1)
    assert (await client.get("/ops", headers=bearer(operator))).json() == {
        "actor": "operator:rathaus-operator"
    }


async def test_without_a_configured_issuer_every_token_is_refused() -> None:
    answer = await app_with(None).get("/ops", headers=bearer(sign(RSA)))
    assert answer.status_code == 401
    assert "RATHAUS_OIDC_ISSUER" in answer.json()["detail"]


async def test_an_unreachable_issuer_is_a_503_with_retry_after() -> None:
    issuer = FakeIssuer(RSA)
    issuer.down = True
    answer = await app_with(verifier(issuer)).get("/ops", headers=bearer(sign(RSA)))
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
