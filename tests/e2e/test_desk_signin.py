"""A clerk signs in at the desk in real Chromium: at the development issuer, by keyboard.

The running suite (casework with the desk shell of ``runtime.desk``), the run's development
issuer (its login form, its token endpoint, its RP-initiated logout), real cookies. A clerk
of Augustusburg opens casework's desk, is sent to the issuer, signs in with the keyboard and
comes back to the page she asked for; axe-core looks at it; forged forms are refused;
signing out ends the session here and at the issuer; a cookie sealed with another secret
counts for nothing. One test, one suite: starting the suite is most of its time.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from runtime.auth import Identity
from runtime.desk.sealing import CookieSeal
from runtime.desk.session import SESSION_COOKIE, new_session
from tests.support.browser import CHROMIUM, axe_source, serious_violations
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

CLERK = "augustusburg.sachbearbeitung"


@pytest.fixture
async def context() -> AsyncIterator[BrowserContext]:
    """A German browser context with axe-core in every page."""
    axe = axe_source()
    async with async_playwright() as playwright:
        browser: Browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = await browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
            await context.add_init_script(axe)
            yield context
        finally:
            await browser.close()


async def focused(page: Page) -> dict[str, str]:
    found: dict[str, str] = await page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " text: document.activeElement.textContent.trim()})"
    )
    return found


async def tab_to(page: Page, text: str = "", element_id: str = "", limit: int = 15) -> None:
    """Press Tab until the element with ``text`` (or ``element_id``) has the focus."""
    for _ in range(limit):
        now = await focused(page)
        if (element_id and now["id"] == element_id) or (text and now["text"] == text):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{text or element_id} not reached by Tab")


async def sign_in_by_keyboard(page: Page, username: str) -> None:
    """At the issuer's login form: user name, Tab, password, Enter."""
    await tab_to(page, element_id="username")
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(username)  # the demo password is the user name
    await page.keyboard.press("Enter")


async def session_cookie(context: BrowserContext) -> dict[str, Any] | None:
    cookies = {c["name"]: dict(c) for c in await context.cookies()}
    return cookies.get(SESSION_COOKIE)


@pytest.mark.timeout(120)
async def test_a_clerk_signs_in_by_keyboard_works_safely_and_signs_out(
    suite: Suite, issuer: DevIssuer, context: BrowserContext
) -> None:
    desk, suite_secret = suite.url("casework"), suite.session_secret.encode()
    page = await context.new_page()

    # Asking for a desk page without a session leads to the issuer's login form …
    await page.goto(f"{desk}/desk/?ansicht=heute")
    assert page.url.startswith(f"{issuer.url}/authorize?")
    await sign_in_by_keyboard(page, CLERK)
    # … and, signed in, back to exactly that page.
    await page.wait_for_url(f"{desk}/desk/?ansicht=heute")
    assert await page.locator("h1").inner_text() == "Arbeitsplatz"
    header = await page.locator("#angemeldet").inner_text()
    for shown in ("Anton Augst", "Augustusburg", "Sachbearbeitung"):
        assert shown in header
    assert await page.locator("#gemeinde").inner_text() == "Augustusburg (14522020)"
    assert "Verkehrsrechtliche Anordnung" in await page.locator(".verfahren").inner_text()
    assert await page.locator("#email").inner_text() == (
        "anton.augst@augustusburg.rathauscloud.example"
    )
    current = page.locator("nav a[aria-current]")
    assert await current.inner_text() == "Vorgänge"
    assert await serious_violations(page) == []

    cookie = await session_cookie(context)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/")
    assert cookie["secure"] is False  # plain http here; https adds Secure and __Host-
    assert 0 < cookie["expires"] - time.time() <= 8 * 3600
    assert "rathaus-anmeldung" not in {c["name"] for c in await context.cookies()}

    # A form without the session's token, or with a wrong one, is refused; nothing changes.
    forms: list[dict[str, str | float | bool]] = [{}, {"csrf": "gefälscht"}]
    for form in forms:
        forged = await context.request.post(
            f"{desk}/desk/abmelden", form=form, headers={"Origin": desk}, max_redirects=0
        )
        assert forged.status == 403, form
        assert "Anfrage abgelehnt" in await forged.text()
    assert await session_cookie(context) is not None

    # Signing out by keyboard: from the skip link to the button, Enter.
    await page.keyboard.press("Tab")
    assert (await focused(page))["text"] == "Zum Inhalt springen"
    await tab_to(page, text="Abmelden")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{desk}/desk/abgemeldet")  # through the issuer's logout
    assert await page.locator("h1").inner_text() == "Sie sind abgemeldet"
    assert await session_cookie(context) is None
    assert await serious_violations(page) == []
    await page.goto(f"{desk}/desk/")
    assert page.url.startswith(f"{issuer.url}/authorize?")

    # A session sealed with another secret counts for nothing; the same with the suite's, does.
    clerk = Identity("augustusburg.leitung", "Greta Schellenberg", frozenset({"supervisor"}))
    session = new_session(clerk, int(time.time()) + 900, time.time())
    for secret, admitted in ((b"another installation's secret", False), (suite_secret, True)):
        sealed = CookieSeal(secret).seal("session", session.payload(), session.expires_at)
        await context.add_cookies([{"name": SESSION_COOKIE, "value": sealed, "url": desk}])
        await page.goto(f"{desk}/desk/")
        if admitted:
            assert "Greta Schellenberg" in await page.locator("#angemeldet").inner_text()
        else:
            assert page.url.startswith(f"{issuer.url}/authorize?"), "a foreign seal opened"
