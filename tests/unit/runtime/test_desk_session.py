"""The desk's session cookie: sealed (AES-GCM), bound to its purpose, ending on time.

Anything that does not open — another key, a changed byte, another purpose, an expired
payload — is no session at all.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from starlette.responses import Response

from runtime.auth import Identity
from runtime.desk.sealing import CookieSeal
from runtime.desk.session import (
    MAX_SESSION_SECONDS,
    Cookies,
    DeskSession,
    SessionStore,
    new_session,
)

NOW = 1_800_000_000
SECRET = b"k3J9-qXz_82hGv0LmN5pRt7wYb4cDe6Fa1Sx"
CLERK = Identity(
    subject="augustusburg.sachbearbeitung",
    name="Anton Augst",
    email="anton.augst@augustusburg.rathauscloud.example",
    roles=frozenset({"clerk"}),
    towns=("14522020",),
    procedures=("gewerbeanmeldung", "maengelmelder"),
    issuer="http://127.0.0.1:8010",
)


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


def sealed(seal: CookieSeal, payload: dict[str, Any] | None = None, ttl: int = 60) -> str:
    return seal.seal("session", payload or {"who": "Anton"}, NOW + ttl)


def test_a_sealed_payload_opens_with_the_same_key_and_purpose() -> None:
    seal = CookieSeal(SECRET, Clock())
    value = sealed(seal, {"who": "Anton", "towns": ["14522020"]})
    assert seal.open("session", value) == {"who": "Anton", "towns": ["14522020"], "exp": NOW + 60}
    assert "Anton" not in value
    assert "14522020" not in value
    assert sealed(seal) != sealed(seal)  # a fresh nonce every time


@pytest.mark.parametrize("position", [0, 5, 20, -3])
def test_a_changed_byte_anywhere_makes_it_no_cookie(position: int) -> None:
    seal = CookieSeal(SECRET, Clock())
    raw = bytearray(base64.urlsafe_b64decode(sealed(seal) + "=="))
    raw[position] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert seal.open("session", tampered) is None


@pytest.mark.parametrize("value", [None, "", "x", "!!!", "A" * 5000, "AQ", "AQID" * 10])
def test_garbage_is_no_cookie(value: str | None) -> None:
    assert CookieSeal(SECRET, Clock()).open("session", value) is None


def test_another_secret_or_another_purpose_does_not_open_it() -> None:
    value = sealed(CookieSeal(SECRET, Clock()))
    assert CookieSeal(b"another secret entirely, 32 chars+", Clock()).open("session", value) is None
    assert CookieSeal(SECRET, Clock()).open("flash", value) is None


def test_it_ends_at_its_expiry() -> None:
    clock = Clock()
    seal = CookieSeal(SECRET, clock)
    value = sealed(seal, ttl=60)
    clock.now = NOW + 59
    assert seal.open("session", value) is not None
    clock.now = NOW + 60
    assert seal.open("session", value) is None


def test_a_session_ends_with_the_token_and_after_eight_hours_at_the_latest() -> None:
    assert new_session(CLERK, NOW + 900, NOW).expires_at == NOW + 900
    assert new_session(CLERK, NOW + 86_400, NOW).expires_at == NOW + MAX_SESSION_SECONDS
    one, other = new_session(CLERK, NOW + 900, NOW), new_session(CLERK, NOW + 900, NOW)
    assert one.csrf != other.csrf
    assert len(one.csrf) >= 43


def test_the_session_round_trips_through_its_payload() -> None:
    session = new_session(CLERK, NOW + 900, NOW, id_token="eyJ.id.token")
    seal = CookieSeal(SECRET, Clock())
    value = seal.seal("session", session.payload(), session.expires_at)
    opened = seal.open("session", value)
    assert opened is not None
    assert DeskSession.from_payload(opened) == session


def test_a_payload_that_is_no_session_is_none() -> None:
    assert DeskSession.from_payload({"sub": "x", "exp": NOW}) is None
    assert DeskSession.from_payload({"sub": "x", "name": "y", "roles": 5, "exp": NOW}) is None


def set_cookie(response: Response) -> str:
    return response.headers["set-cookie"]


def test_the_cookie_is_http_only_lax_and_host_bound_over_https() -> None:
    session = new_session(CLERK, NOW + 900, NOW)
    response = Response()
    SessionStore(CookieSeal(SECRET, Clock()), Cookies(secure=True)).write(response, session, NOW)
    header = set_cookie(response)
    assert header.startswith("__Host-rathaus-sitzung=")
    for attribute in ("HttpOnly", "SameSite=lax", "Path=/", "Secure", "Max-Age=900"):
        assert attribute in header, attribute
    assert "Domain" not in header

    plain = Response()
    SessionStore(CookieSeal(SECRET, Clock()), Cookies(secure=False)).write(plain, session, NOW)
    assert set_cookie(plain).startswith("rathaus-sitzung=")
    assert "Secure" not in set_cookie(plain)


def test_an_id_token_too_large_for_a_cookie_is_left_out() -> None:
    session = new_session(CLERK, NOW + 900, NOW, id_token="x" * 3000)
    response = Response()
    seal = CookieSeal(SECRET, Clock())
    SessionStore(seal, Cookies(secure=True)).write(response, session, NOW)
    value = set_cookie(response).split(";", 1)[0].split("=", 1)[1]
    assert len(set_cookie(response)) < 4096
    opened = DeskSession.from_payload(seal.open("session", value) or {})
    assert opened is not None
    assert opened.id_token is None
    assert opened.csrf == session.csrf
