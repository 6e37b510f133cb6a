"""archive serves clerk pages, so production refuses it without a desk's secrets: a session
secret of its own and an https address the issuer may send clerks back to (fail closed)."""

from __future__ import annotations

import base64
import os

import pytest

from runtime.settings import SettingsRefused, load_settings
from services.archive.settings import ArchiveSettings

PRODUCTION = {
    "RATHAUS_ENVIRONMENT": "production",
    "RATHAUS_DATA_KEK": base64.b64encode(bytes(range(100, 132))).decode(),
    "NATS_USER": "archive",
    "NATS_PASSWORD": "Zq7-archive-nats-password-long-enough-1",
    "RATHAUS_OIDC_ISSUER": "https://login.example.org",
    "ARCHIVE_SIGNING_KEY": base64.b64encode(bytes(range(200, 232))).decode(),
    "RATHAUS_SESSION_SECRET": "Zq8-wL3xYv7_Kt2mB9nR4pJd6sHf0cGa5eUi",
    "ARCHIVE_PUBLIC_URL": "https://archiv.rathauscloud.example",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("RATHAUS_", "ARCHIVE_", "NATS_")):
            monkeypatch.delenv(name)


def refusal(monkeypatch: pytest.MonkeyPatch, **environment: str) -> str:
    for name, value in {**PRODUCTION, **environment}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsRefused) as refused:
        load_settings(ArchiveSettings)
    return str(refused.value)


def test_archive_in_production_needs_a_session_secret_and_an_https_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "RATHAUS_SESSION_SECRET is required" in refusal(monkeypatch, RATHAUS_SESSION_SECRET="")
    short = refusal(monkeypatch, RATHAUS_SESSION_SECRET="kurz")
    assert "RATHAUS_SESSION_SECRET must be at least 32 characters" in short
    assert "kurz" not in short
    assert "ARCHIVE_PUBLIC_URL is required" in refusal(monkeypatch, ARCHIVE_PUBLIC_URL="")
    assert "https://" in refusal(monkeypatch, ARCHIVE_PUBLIC_URL="http://archiv.example")


def test_archive_with_its_secrets_starts_and_links_the_other_desks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RATHAUS_DESK_CASEWORK_URL", "https://sachbearbeitung.example/desk/")
    settings = load_settings(ArchiveSettings)
    assert settings.desk_base_url == "https://archiv.rathauscloud.example"
    assert settings.desk_links == {"casework": "https://sachbearbeitung.example/desk/"}
    assert PRODUCTION["RATHAUS_SESSION_SECRET"] not in repr(settings)


def test_archive_in_development_needs_no_desk_secrets() -> None:
    settings = ArchiveSettings(environment="dev", http_port=8014)
    assert settings.session_secret is None
    assert settings.desk_base_url == "http://127.0.0.1:8014"
