"""The daily chain head: its statement, its Ed25519 signature, which days are due."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from runtime.settings import SettingsRefused, load_settings
from services.archive.domain.chain_heads import (
    ChainHead,
    days_to_sign,
    end_of,
    key_id,
    public_bytes,
    sign,
    statement,
    verify,
)
from services.archive.settings import DEV_SIGNING_KEY, ArchiveSettings

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
HEAD = ChainHead("14729410", date(2026, 12, 1), 17, "ab" * 32)


def test_the_statement_is_the_documented_text() -> None:
    assert statement(HEAD) == (
        b"rathauscloud-chain-head/1\ntown=14729410\nday=2026-12-01\nfiles=17\n"
        b"chain_hash=" + b"ab" * 32 + b"\n"
    )


def test_a_signature_covers_exactly_its_head_and_key() -> None:
    signature = sign(KEY, HEAD)
    public = public_bytes(KEY)
    assert verify(public, HEAD, signature)
    for changed in (
        ChainHead("14522020", HEAD.day, HEAD.files, HEAD.chain_hash),
        ChainHead(HEAD.town, date(2026, 12, 2), HEAD.files, HEAD.chain_hash),
        ChainHead(HEAD.town, HEAD.day, 16, HEAD.chain_hash),
        ChainHead(HEAD.town, HEAD.day, HEAD.files, "ac" * 32),
    ):
        assert not verify(public, changed, signature), changed
    other = public_bytes(Ed25519PrivateKey.generate())
    assert not verify(other, HEAD, signature)
    assert not verify(public, HEAD, "kein base64!")
    assert key_id(public) != key_id(other)
    assert len(key_id(public)) == 16


def test_a_german_day_ends_at_midnight_in_germany_summer_or_winter() -> None:
    assert end_of(date(2026, 12, 1)) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert end_of(date(2026, 7, 1)) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "last", "first", "days"),
    [
        # Half past midnight in Wurzen on 2 December: 1 December is over.
        (datetime(2026, 12, 1, 23, 30, tzinfo=UTC), None, date(2026, 11, 29),
         [date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)]),
        (datetime(2026, 12, 1, 23, 30, tzinfo=UTC), date(2026, 12, 1), date(2026, 11, 29), []),
        (datetime(2026, 12, 1, 22, 30, tzinfo=UTC), date(2026, 11, 29), date(2026, 11, 1),
         [date(2026, 11, 30)]),
        (datetime(2026, 12, 1, 12, 0, tzinfo=UTC), None, date(2026, 12, 1), []),  # first file today
    ],
)  # fmt: skip
def test_the_finished_days_without_a_head_are_due(
    now: datetime, last: date | None, first: date, days: list[date]
) -> None:
    assert days_to_sign(now, last, first) == days


def test_catching_up_goes_back_a_year_at_most() -> None:
    due = days_to_sign(datetime(2026, 12, 1, 12, tzinfo=UTC), None, date(2020, 1, 1))
    assert (len(due), due[-1]) == (366, date(2026, 11, 30))


def test_production_needs_a_signing_key_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATHAUS_ENVIRONMENT", "production")
    monkeypatch.setenv("RATHAUS_DATA_KEK", base64.b64encode(bytes(range(100, 132))).decode())
    monkeypatch.setenv("NATS_USER", "archive")
    monkeypatch.setenv("NATS_PASSWORD", "Zq7-archive-nats-password-long-enough-1")
    monkeypatch.setenv("RATHAUS_OIDC_ISSUER", "https://login.example.org")
    monkeypatch.setenv("RATHAUS_SESSION_SECRET", "Zq8-wL3xYv7_Kt2mB9nR4pJd6sHf0cGa5eUi")
    monkeypatch.setenv("ARCHIVE_PUBLIC_URL", "https://archiv.rathauscloud.example")
    with pytest.raises(SettingsRefused, match="ARCHIVE_SIGNING_KEY is required"):
        load_settings(ArchiveSettings)
    monkeypatch.setenv("ARCHIVE_SIGNING_KEY", DEV_SIGNING_KEY)
    with pytest.raises(SettingsRefused, match="development key"):
        load_settings(ArchiveSettings)
    real = base64.b64encode(bytes(range(200, 232))).decode()
    monkeypatch.setenv("ARCHIVE_SIGNING_KEY", real)
    settings = load_settings(ArchiveSettings)
    assert public_bytes(settings.head_signing_key()) == public_bytes(
        Ed25519PrivateKey.from_private_bytes(bytes(range(200, 232)))
    )
