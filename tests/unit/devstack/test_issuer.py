"""The development issuer's pure parts: demo accounts, redirect URIs, discovery, the stack's env."""

from __future__ import annotations

from pathlib import Path

from authlib.oidc.discovery import OpenIDProviderMetadata  # type: ignore[import-untyped]
from joserfc.jwk import RSAKey

from contracts.procedures import ProcedureId
from devstack.issuer.app import discovery
from devstack.issuer.directory import Directory
from devstack.issuer.server import Issuer
from devstack.suite import DESKS, SERVICES, Surroundings, service_env

ACCOUNTS = Directory.load()


def test_the_demo_accounts_have_an_operator_client_and_clerks_of_four_towns() -> None:
    operator = ACCOUNTS.clients["rathaus-operator"]
    assert operator.check_grant_type("client_credentials")
    assert not operator.check_grant_type("authorization_code")
    assert operator.check_client_secret("dev-operator-secret")
    assert not operator.check_client_secret("dev-operator-secret ")
    clerks = [u for u in ACCOUNTS.users.values() if "clerk" in u.roles]
    assert {u.ags for u in clerks} == {"14729410", "14522020", "14729380", "14729030"}
    supervised = {u.ags for u in clerks if "supervisor" in u.roles}
    assert supervised == {"14729410", "14522020"}  # the shared service centre's two towns
    for clerk in clerks:  # every procedure, and a work address casework records
        assert set(clerk.procedures) == set(ProcedureId), clerk.username
        assert clerk.email, clerk.username
        assert clerk.claims()["email"] == clerk.email
    assert ACCOUNTS.sign_in("betrieb", "betrieb") is not None
    assert ACCOUNTS.sign_in("betrieb", "falsch") is None


def test_a_loopback_redirect_may_use_any_port_anything_else_must_match_exactly() -> None:
    desk = ACCOUNTS.clients["rathaus-desk"]
    assert desk.check_redirect_uri("http://127.0.0.1:8002/auth/callback")
    assert desk.check_redirect_uri("http://localhost:18002/auth/callback")
    assert not desk.check_redirect_uri("http://127.0.0.1:8002/auth/callback/../evil")
    assert not desk.check_redirect_uri("http://127.0.0.1:8002/other")
    assert not desk.check_redirect_uri("http://evil.example:8002/auth/callback")
    assert not desk.check_redirect_uri("http://user@127.0.0.1:8002/auth/callback")
    assert not desk.check_redirect_uri("https://127.0.0.1:8002/auth/callback")


def test_the_discovery_document_is_valid_openid_provider_metadata() -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    metadata = OpenIDProviderMetadata(discovery(Issuer("http://127.0.0.1:8010", ACCOUNTS, key)))
    metadata.validate()
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["end_session_endpoint"] == "http://127.0.0.1:8010/logout"
    assert "email" in metadata["scopes_supported"]
    assert "email" in metadata["claims_supported"]


def test_after_signing_out_the_browser_may_return_to_the_desk_only() -> None:
    desk = ACCOUNTS.clients["rathaus-desk"]
    assert desk.check_post_logout_redirect_uri("http://127.0.0.1:8002/desk/abgemeldet")
    assert not desk.check_post_logout_redirect_uri("http://127.0.0.1:8002/desk/")
    assert not desk.check_post_logout_redirect_uri("http://evil.example/desk/abgemeldet")


def test_the_stack_gives_the_desk_settings_to_the_services_with_a_desk(tmp_path: Path) -> None:
    desk = {"RATHAUS_SESSION_SECRET": "s" * 43, "RATHAUS_DESK_CLIENT_ID": "rathaus-desk"}
    around = Surroundings("nats://x", 1, tmp_path, "http://127.0.0.1:8001", desk=desk)
    for spec in SERVICES:
        env = service_env(spec, spec.port, "postgresql://x/y", around, {})
        given = {name: env[name] for name in desk if name in env}
        assert given == (desk if spec.name in DESKS else {}), spec.name
    assert DESKS == ("casework", "billing", "archive", "notify")


def test_the_stack_passes_its_issuer_to_every_service(tmp_path: Path) -> None:
    around = Surroundings(
        nats_url="nats://127.0.0.1:4222",
        smtp_port=1025,
        members_dir=tmp_path,
        intake_url="http://127.0.0.1:8001",
        issuer_url="http://127.0.0.1:8010",
    )
    for spec in SERVICES:
        env = service_env(spec, spec.port, "postgresql://x/y", around, {})
        assert env["RATHAUS_OIDC_ISSUER"] == "http://127.0.0.1:8010"
        assert env["RATHAUS_OIDC_AUDIENCE"] == ACCOUNTS.audience
    # An issuer named by the environment (Keycloak, say) reaches the services as it is.
    theirs = {"RATHAUS_OIDC_ISSUER": "https://id.example.org/realms/rathaus"}
    outside = Surroundings("nats://x", 1, tmp_path, "http://127.0.0.1:8001")
    assert service_env(SERVICES[0], 8001, "postgresql://x/y", outside, theirs)[
        "RATHAUS_OIDC_ISSUER"
    ] == ("https://id.example.org/realms/rathaus")
