"""Settings fail closed: production by default, real secrets checked as bytes, never shown."""

from __future__ import annotations

import base64
import os

import pytest

from runtime.settings import DEV_KEK, ServiceSettings, SettingsRefused, load_settings
from services.casework.settings import CaseworkSettings
from services.intake.settings import DEV_TRACKING_SECRET, IntakeSettings

GOOD_KEK = base64.b64encode(os.urandom(32)).decode()
GOOD_TOKEN = "k3J9-qXz_82hGv0LmN5pRt7wYb4cDe6Fa1Sx"
PRODUCTION = {
    "RATHAUS_DATA_KEK": GOOD_KEK,
    "INTAKE_TRACKING_SECRET": GOOD_TOKEN,
    "INTAKE_PUBLIC_URL": "https://antrag.rathauscloud.example",
    "NATS_USER": "intake",
    "NATS_PASSWORD": "rc8f3a9d27e1b4c6f05a7d3e9b2c18f4a6e0d5b7c3a91f2e8d4b6a0c7e5f3d1b9a2",
    "RATHAUS_OIDC_ISSUER": "https://id.rathauscloud.example/realms/rathaus",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("RATHAUS_", "INTAKE_", "CASEWORK_", "NATS_")):
            monkeypatch.delenv(name)


def refusal(monkeypatch: pytest.MonkeyPatch, **environment: str) -> str:
    for name, value in {**PRODUCTION, **environment}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsRefused) as refused:
        load_settings(IntakeSettings)
    return str(refused.value)


def test_production_needs_the_service_s_nats_user_and_an_issuer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "NATS_USER is required" in refusal(monkeypatch, NATS_USER="")
    assert "NATS_PASSWORD" in refusal(monkeypatch, NATS_PASSWORD="short")
    assert "RATHAUS_OIDC_ISSUER is required" in refusal(monkeypatch, RATHAUS_OIDC_ISSUER="")
    assert "https://" in refusal(monkeypatch, RATHAUS_OIDC_ISSUER="http://id.example")


def test_production_is_the_default_and_needs_its_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ServiceSettings.model_fields["environment"].default == "production"
    with pytest.raises(SettingsRefused, match="RATHAUS_DATA_KEK is required in production"):
        load_settings(ServiceSettings)
    message = refusal(monkeypatch, INTAKE_TRACKING_SECRET="")
    assert "INTAKE_TRACKING_SECRET" in message


@pytest.mark.parametrize(
    ("kek", "reason"),
    [
        (DEV_KEK, "development key"),
        (DEV_KEK + "\n", "whitespace or a line break"),
        (DEV_KEK.rstrip("="), "not valid base64"),
        (base64.b64encode(bytes(32)).decode(), "does not look random"),
        (base64.b64encode(b"correct horse battery staple 123").decode(), "does not look random"),
        (base64.b64encode(bytes(range(16))).decode(), "must be 32 bytes"),
    ],
)
def test_a_kek_is_judged_by_its_bytes(
    monkeypatch: pytest.MonkeyPatch, kek: str, reason: str
) -> None:
    message = refusal(monkeypatch, RATHAUS_DATA_KEK=kek)
    assert "RATHAUS_DATA_KEK" in message
    assert reason in message
    assert kek.strip() not in message


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (DEV_TRACKING_SECRET, "development value"),
        ("x", "at least 32 characters"),
        (GOOD_TOKEN + "\n", "whitespace or a line break"),
        ("ab" * 20, "does not look random"),
    ],
)
def test_a_tracking_secret_must_be_long_and_varied(
    monkeypatch: pytest.MonkeyPatch, secret: str, reason: str
) -> None:
    message = refusal(monkeypatch, INTAKE_TRACKING_SECRET=secret)
    assert "INTAKE_TRACKING_SECRET" in message
    assert reason in message


def test_links_and_browsers_are_configured_not_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "INTAKE_PUBLIC_URL is required" in refusal(monkeypatch, INTAKE_PUBLIC_URL="")
    assert "not '*'" in refusal(monkeypatch, INTAKE_CORS_ORIGINS="https://a.example, *")


def test_a_refusal_never_shows_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(
        monkeypatch,
        INTAKE_DATABASE_URL="postgresql://intake:Sup3r-Secret-Password@db:5432/rathaus_intake",
        RATHAUS_DATA_KEK=base64.b64encode(bytes(32)).decode(),
    )
    assert "Sup3r-Secret-Password" not in message
    assert "AAAAAAAA" not in message


def test_good_secrets_start_and_stay_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(IntakeSettings)
    assert settings.kek == base64.b64decode(GOOD_KEK)
    assert settings.tracking_key == GOOD_TOKEN
    assert GOOD_TOKEN not in repr(settings)
    assert GOOD_KEK not in repr(settings)
    assert settings.public_base_url == "https://antrag.rathauscloud.example"


def test_development_keeps_its_defaults_and_its_own_address() -> None:
    settings = IntakeSettings(environment="dev", http_port=8011)
    assert settings.kek == base64.b64decode(DEV_KEK)
    assert settings.tracking_key == DEV_TRACKING_SECRET
    assert settings.public_base_url == "http://127.0.0.1:8011"


def test_production_keeps_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(monkeypatch, RATHAUS_TEST_CLOCK_FILE="/tmp/clock")
    assert "RATHAUS_TEST_CLOCK_FILE is for tests only" in message


DESK = {
    "RATHAUS_SESSION_SECRET": "Zq8-wL3xYv7_Kt2mB9nR4pJd6sHf0cGa5eUi",
    "CASEWORK_PUBLIC_URL": "https://sachbearbeitung.rathauscloud.example",
}


def desk_refusal(monkeypatch: pytest.MonkeyPatch, **environment: str) -> str:
    for name, value in {**PRODUCTION, **DESK, **environment}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsRefused) as refused:
        load_settings(CaseworkSettings)
    return str(refused.value)


def test_a_desk_in_production_needs_a_session_secret_and_an_https_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "RATHAUS_SESSION_SECRET is required" in desk_refusal(
        monkeypatch, RATHAUS_SESSION_SECRET=""
    )
    short = desk_refusal(monkeypatch, RATHAUS_SESSION_SECRET="kurz")
    assert "RATHAUS_SESSION_SECRET must be at least 32 characters" in short
    assert "kurz" not in short
    assert "CASEWORK_PUBLIC_URL is required" in desk_refusal(monkeypatch, CASEWORK_PUBLIC_URL="")
    assert "https://" in desk_refusal(monkeypatch, CASEWORK_PUBLIC_URL="http://desk.example")


def test_a_desk_with_its_secrets_starts_and_hides_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**PRODUCTION, **DESK, "RATHAUS_DESK_CLIENT_SECRET": GOOD_TOKEN}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(CaseworkSettings)
    assert settings.desk_base_url == "https://sachbearbeitung.rathauscloud.example"
    assert settings.desk_client_id == "rathaus-desk"
    for secret in (DESK["RATHAUS_SESSION_SECRET"], GOOD_TOKEN):
        assert secret not in repr(settings)
        assert secret in settings.secret_values()


def test_a_desk_in_development_needs_no_session_secret() -> None:
    settings = CaseworkSettings(environment="dev", http_port=8012)
    assert settings.session_secret is None
    assert settings.desk_base_url == "http://127.0.0.1:8012"
    assert settings.desk_links == {}
