"""Signatures of a provider's messages: genuine ones pass; forged, late and unsigned do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.billing.payments.signing import (
    MessageRefused,
    canonical_json,
    digest,
    sign,
    verify,
)

KEY = b"a-key-the-town-shares-with-its-provider"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
BODY = canonical_json({"status": "paid", "amount": "26.00", "reference": "2026-0001-7"})
NONCE = "n0nce-of-sixteen-chars"


def header(at: datetime = NOW, key: bytes = KEY, body: bytes = BODY, nonce: str = NONCE) -> str:
    return sign(key, body, int(at.timestamp()), nonce)


def refusal(key: bytes, given: str | None, body: bytes = BODY) -> str:
    with pytest.raises(MessageRefused) as refused:
        verify(key, given, body, NOW)
    return refused.value.code


def test_a_genuine_signature_gives_its_timestamp_and_nonce() -> None:
    signature = verify(KEY, header(), BODY, NOW)
    assert (signature.timestamp, signature.nonce) == (int(NOW.timestamp()), NONCE)


def test_the_header_reads_t_n_v1_with_a_hex_hmac_sha256() -> None:
    stamp = int(NOW.timestamp())
    assert header() == f"t={stamp},n={NONCE},v1={digest(KEY, BODY, stamp, NONCE)}"
    assert len(header().split("v1=")[1]) == 64


def test_canonical_json_is_compact_with_sorted_keys() -> None:
    assert canonical_json({"b": "ä", "a": 1}) == '{"a":1,"b":"ä"}'.encode()


def test_a_signature_with_another_key_is_forged() -> None:
    assert refusal(KEY, header(key=b"a-guess-of-the-attacker")) == "forged"


def test_a_changed_body_is_forged() -> None:
    changed = BODY.replace(b"26.00", b"0.01")
    assert refusal(KEY, header(), changed) == "forged"


def test_a_changed_nonce_or_timestamp_is_forged() -> None:
    genuine = header()
    assert refusal(KEY, genuine.replace(NONCE, "another-nonce-16ch")) == "forged"
    stamp = str(int(NOW.timestamp()))
    assert refusal(KEY, genuine.replace(stamp, str(int(stamp) - 1))) == "forged"


@pytest.mark.parametrize("given", [None, "", "v1=abc", "t=1,n=short,v1=" + "0" * 64, "garbage"])
def test_a_missing_or_unreadable_header_is_unsigned(given: str | None) -> None:
    assert refusal(KEY, given) == "unsigned"


def test_a_signature_older_than_five_minutes_is_late() -> None:
    verify(KEY, header(NOW - timedelta(minutes=4, seconds=59)), BODY, NOW)
    assert refusal(KEY, header(NOW - timedelta(minutes=5, seconds=1))) == "late"


def test_a_signature_from_the_future_is_late_too() -> None:
    assert refusal(KEY, header(NOW + timedelta(minutes=6))) == "late"


def test_a_forged_signature_is_named_forged_even_when_late() -> None:
    assert refusal(KEY, header(NOW - timedelta(hours=1), key=b"wrong")) == "forged"
