"""The desk's pages in tests: a clerk's session without the login form, posting a page's
forms, and moving through a page by keyboard.

``sealed_session`` seals a session cookie with the running suite's ``session_secret`` exactly
as casework's sign-in would (``runtime.desk.session``): the pages cannot tell it from one
made by signing in at the issuer, so a test signs in through the form once and everywhere
else takes this shortcut. ``page_client`` is an HTTP client carrying such a session, whose
``post_form`` adds the CSRF token and the same-origin ``Origin`` every desk form sends.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page

from runtime.auth import Identity
from runtime.desk.csrf import CSRF_FIELD
from runtime.desk.sealing import CookieSeal
from runtime.desk.session import SESSION_COOKIE, SESSION_PURPOSE, new_session
from tests.support.suite import Suite


def clerk_identity(
    town: str,
    name: str,
    *,
    roles: tuple[str, ...] = ("clerk",),
    procedures: tuple[str, ...] = ("*",),
    subject: str | None = None,
) -> Identity:
    """A clerk as a sign-in names them (subject, name, roles, town, procedures)."""
    return Identity(
        subject=subject or f"{name.lower().replace(' ', '.')}@{town}",
        name=name,
        roles=frozenset(roles),
        towns=(town,) if town else (),
        procedures=procedures,
        email=f"{name.lower().replace(' ', '.')}@{town or 'betrieb'}.rathauscloud.example",
    )


def sealed_session(suite: Suite, identity: Identity, seconds: int = 1800) -> tuple[str, str]:
    """A session cookie's value for ``identity`` (sealed with the suite's secret) and the
    session's CSRF token."""
    now = time.time()
    session = new_session(identity, int(now) + seconds, now)
    seal = CookieSeal(suite.session_secret.encode())
    return seal.seal(SESSION_PURPOSE, session.payload(), session.expires_at), session.csrf


class PageClient:
    """casework's desk pages, as a signed-in browser without JavaScript calls them."""

    def __init__(self, suite: Suite, identity: Identity) -> None:
        cookie, self.csrf = sealed_session(suite, identity)
        self.origin = suite.url("casework")
        self.http = httpx.AsyncClient(
            base_url=self.origin, cookies={SESSION_COOKIE: cookie}, timeout=30
        )

    async def __aenter__(self) -> PageClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()

    async def get(self, path: str, **params: Any) -> httpx.Response:
        """A page (redirects not followed: a 303 is an answer too)."""
        return await self.http.get(path, params=params or None)

    async def post_form(self, path: str, form: dict[str, Any]) -> httpx.Response:
        """A form as the page posts it: the session's CSRF token, from the desk's origin."""
        return await self.http.post(
            path, data={CSRF_FIELD: self.csrf, **form}, headers={"Origin": self.origin}
        )


async def sign_in_with_cookie(context: BrowserContext, suite: Suite, identity: Identity) -> None:
    """Give a browser context ``identity``'s session (as if they had signed in)."""
    cookie, _ = sealed_session(suite, identity)
    await context.add_cookies(
        [{"name": SESSION_COOKIE, "value": cookie, "url": suite.url("casework")}]
    )


async def focused(page: Page) -> dict[str, str]:
    """The element that has the keyboard focus: its id, tag, text and accessible name."""
    found: dict[str, str] = await page.evaluate(
        "() => { const e = document.activeElement;"
        " return {id: e.id, tag: e.tagName, text: (e.textContent || '').trim(),"
        " value: e.value || ''}; }"
    )
    return found


async def tab_to(
    page: Page, *, element_id: str = "", text: str = "", limit: int = 120
) -> dict[str, str]:
    """Press Tab until the element with ``element_id`` (or whose text starts with ``text``)
    has the focus; fails if the keyboard never gets there."""
    for _ in range(limit):
        now = await focused(page)
        if (element_id and now["id"] == element_id) or (text and now["text"].startswith(text)):
            return now
        await page.keyboard.press("Tab")
    raise AssertionError(f"{element_id or text} not reached by Tab")


async def sign_in_by_keyboard(page: Page, username: str) -> None:
    """At the issuer's login form: user name, Tab, password (the user name), Enter."""
    await tab_to(page, element_id="username", limit=15)
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(username)
    await page.keyboard.press("Enter")
