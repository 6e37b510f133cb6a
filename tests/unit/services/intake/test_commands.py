"""The tracking links: one for programs, one for people, both carrying the same token."""

from __future__ import annotations

from uuid import UUID

from services.intake.commands import status_page_url, status_url, token_matches, tracking_token

APPLICATION = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
SECRET = "a-test-secret"
BASE = "https://intake.rathaus.example"


def test_the_e_mail_link_opens_the_page_and_the_widget_link_the_json() -> None:
    token = tracking_token(SECRET, APPLICATION)
    assert status_page_url(BASE, SECRET, APPLICATION) == (
        f"{BASE}/antraege/{APPLICATION}?token={token}"
    )
    assert status_url(BASE, SECRET, APPLICATION) == (
        f"{BASE}/api/v1/applications/{APPLICATION}?token={token}"
    )


def test_only_the_application_s_own_token_matches() -> None:
    token = tracking_token(SECRET, APPLICATION)
    other = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f11")
    assert token_matches(SECRET, APPLICATION, token)
    assert not token_matches(SECRET, other, token)
    assert not token_matches("another-secret", APPLICATION, token)
    assert not token_matches(SECRET, APPLICATION, token[:-1])
    assert not token_matches(SECRET, APPLICATION, "")


def test_a_token_with_umlauts_is_simply_wrong() -> None:
    # hmac.compare_digest refuses non-ASCII str; a typed-in "ä" must not become a 500.
    assert not token_matches(SECRET, APPLICATION, "ä" * 32)
    assert not token_matches(SECRET, APPLICATION, "\udcff")
