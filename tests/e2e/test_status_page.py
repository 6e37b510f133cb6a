"""The citizen's tracking link, opened in a real browser: a German page, usable by keyboard.

Both tests run on one shared suite, each on an application of its own."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Request, async_playwright

from services.intake.api.pages import german_datetime
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.mail import SmtpServer, text_of
from tests.support.suite import Suite

CHROMIUM = Path("/usr/bin/chromium")
APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

CONTRAST = """
element => {
  const rgb = value => value.match(/[\\d.]+/g).map(Number);
  let background = element;
  while (background && rgb(getComputedStyle(background).backgroundColor)[3] === 0) {
    background = background.parentElement;
  }
  const behind = background ? getComputedStyle(background).backgroundColor : "rgb(255,255,255)";
  return [rgb(getComputedStyle(element).color), rgb(behind)];
}
"""
"""An element's text colour and the first opaque background behind it."""


def contrast(first: list[float], second: list[float]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(colour: list[float]) -> float:
        linear = [
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            for c in (v / 255 for v in colour[:3])
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


async def focused(page: Page) -> dict[str, Any]:
    """What has the keyboard focus, and whether one can see it."""
    result: dict[str, Any] = await page.evaluate(
        """() => {
          const e = document.activeElement, box = e.getBoundingClientRect(),
                style = getComputedStyle(e);
          return {tag: e.tagName, id: e.id, text: e.textContent.trim(),
                  inMain: !!e.closest("main"), left: box.left, width: box.width,
                  outline: style.outlineStyle, outlineWidth: style.outlineWidth};
        }"""
    )
    return result


async def open_until_filed(page: Page, url: str, timeout: float = 30.0) -> int:
    """Open the page, reloading like an impatient citizen until the case is filed.

    Filed is not enough: intake follows each service's stream on its own, so the fee's
    step may come in after the filing's. The timeline is whole when it shows the fee too.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    response = await page.goto(url)
    while True:
        assert response is not None
        status = page.locator("#stand")
        if (
            await status.count()
            and "Zur E-Akte genommen" in (await status.inner_text())
            and "Gebühr festgesetzt" in (await page.locator("main ol").inner_text())
        ):
            return response.status
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not filed in time:\n{await page.locator('body').inner_text()}")
        await asyncio.sleep(0.2)
        response = await page.reload()


async def acknowledgement(smtp: SmtpServer, application_id: str) -> list[EmailMessage]:
    """The acknowledgements of one application (waits up to 30 s for the first)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        found = [
            m
            for m in list(smtp.mailbox.messages)
            if str(m["Subject"]).startswith("Eingangsbestätigung")
            and f"Antragskennung: {application_id}" in text_of(m)
        ]
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


async def submit(intake: str) -> dict[str, Any]:
    """POST the example application; intake's answer."""
    async with httpx.AsyncClient(base_url=intake, timeout=10) as client:
        response = await client.post(APPLY, json=gewerbeanmeldung())
    assert response.status_code == 201, response.text
    accepted: dict[str, Any] = response.json()
    return accepted


async def test_the_e_mail_link_opens_a_german_accessible_status_page(
    shared_suite: Suite, shared_smtp: SmtpServer, browser: Browser
) -> None:
    intake = shared_suite.url("intake")
    accepted = await submit(intake)
    application_id = accepted["application_id"]
    page_url = accepted["status_page_url"]
    assert re.fullmatch(rf"{intake}/antraege/{application_id}\?token=[0-9a-f]{{32}}", page_url)
    assert accepted["status_url"].startswith(f"{intake}/api/v1/applications/{application_id}?")

    # The acknowledgement links to the page, not to the JSON (the mailbox is the module's).
    [mail] = await acknowledgement(shared_smtp, application_id)
    text = text_of(mail)
    assert page_url in text
    assert "/api/v1/" not in text

    page = await browser.new_page()
    requests: list[Request] = []
    console: list[ConsoleMessage] = []
    page.on("request", lambda request: requests.append(request))
    page.on("console", lambda message: console.append(message))
    assert await open_until_filed(page, page_url) == 200
    console.clear()  # a 404 while the case was still on its way was in order
    reloaded = await page.reload()
    assert reloaded is not None
    response_headers = await reloaded.all_headers()
    assert response_headers["cache-control"] == "no-store"
    assert response_headers["x-robots-tag"] == "noindex"
    assert response_headers["referrer-policy"] == "no-referrer"
    assert response_headers["content-type"].startswith("text/html")

    # A German document with one heading and a main landmark.
    assert await page.get_attribute("html", "lang") == "de"
    assert await page.title() == "Stand Ihres Antrags: Gewerbeanmeldung, Wurzen – RathausCloud"
    assert await page.get_by_role("heading", level=1).all_inner_texts() == ["Stand Ihres Antrags"]
    assert await page.get_by_role("main").count() == 1

    # The same data as the JSON API shows, for people.
    async with httpx.AsyncClient(timeout=10) as client:
        json_status = (await client.get(accepted["status_url"])).json()

    async def fact(name: str) -> str:
        return await page.locator(f"dt:text-is('{name}') + dd").inner_text()

    assert await fact("Gemeinde") == "Wurzen"
    assert await fact("Verfahren") == "Gewerbeanmeldung"
    submitted = datetime.fromisoformat(json_status["submitted_at"])
    assert await fact("Eingegangen am") == german_datetime(submitted)
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", await fact("Eingegangen am"))
    assert await fact("Vorgangsnummer") == json_status["case_number"]
    assert re.fullmatch(r"WUR-\d{4}-\d{6}", json_status["case_number"])
    assert (await page.locator("#stand").inner_text()).startswith(
        "Aktueller Stand: Zur E-Akte genommen (Aktenzeichen "
    )

    # The timeline: an ordered list, one dated line per step, oldest first.
    steps = page.locator("main ol > li")
    labels = [await steps.nth(i).locator("span").inner_text() for i in range(await steps.count())]
    assert labels[0] == "Antrag eingegangen"
    assert any(label.startswith("Gebühr festgesetzt: 26,00 €") for label in labels), labels
    assert any(label.startswith("Zur E-Akte genommen") for label in labels), labels
    assert set(labels) <= {line["label"] for line in json_status["timeline"]}
    moments = [
        datetime.fromisoformat(value)
        for value in await steps.locator("time").evaluate_all(
            "times => times.map(t => t.getAttribute('datetime'))"
        )
    ]
    assert len(moments) == len(labels)
    assert moments == sorted(moments)
    assert all(moment.tzinfo is not None for moment in moments)

    # Dark text on a light background, readable (WCAG AA: 4.5:1) everywhere it matters.
    for selector in (
        "h1",
        "dd >> nth=0",
        "#stand strong",
        "main ol li time >> nth=0",
        "main a >> nth=0",
    ):
        colour, behind = await page.locator(selector).evaluate(CONTRAST)
        assert contrast(colour, behind) >= 4.5, (selector, colour, behind)
        assert sum(behind[:3]) > sum(colour[:3]), (selector, "light text on dark")

    # By keyboard: Tab shows the skip link, Enter moves to the content, the next Tab
    # reaches the link inside it with a visible focus, and Enter follows it.
    await page.keyboard.press("Tab")
    skip = await focused(page)
    assert (skip["tag"], skip["text"]) == ("A", "Zum Inhalt springen")
    assert skip["left"] >= 0, "the skip link stays off-screen when focused"
    assert skip["width"] > 0
    await page.keyboard.press("Enter")
    assert (await focused(page))["id"] == "inhalt"
    await page.keyboard.press("Tab")
    reload_link = await focused(page)
    assert (reload_link["text"], reload_link["inMain"]) == ("Stand aktualisieren", True)
    assert reload_link["outline"] != "none"
    assert reload_link["outlineWidth"] != "0px"
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url == page_url
    assert "Zur E-Akte genommen" in await page.locator("#stand").inner_text()

    # Nothing but the page itself was loaded; no script, no policy violation.
    assert {request.url.split("?")[0] for request in requests} == {page_url.split("?")[0]}
    assert await page.locator("script").count() == 0
    assert [message.text for message in console if message.type == "error"] == []


async def test_a_wrong_or_broken_link_shows_one_german_not_found_page(
    shared_suite: Suite, browser: Browser
) -> None:
    intake = shared_suite.url("intake")
    accepted = await submit(intake)
    application_id = accepted["application_id"]
    good_token = accepted["status_page_url"].rsplit("token=", 1)[1]

    page = await browser.new_page()
    wrong = await page.goto(f"{intake}/antraege/{application_id}?token={'0' * 32}")
    assert wrong is not None
    assert wrong.status == 404
    assert await page.get_attribute("html", "lang") == "de"
    assert await page.get_by_role("heading", level=1).all_inner_texts() == ["Antrag nicht gefunden"]
    explanation = await page.get_by_role("main").inner_text()
    assert "Link unvollständig" in explanation
    assert application_id not in await page.content()
    headers = await wrong.all_headers()
    assert (headers["cache-control"], headers["x-robots-tag"], headers["referrer-policy"]) == (
        "no-store",
        "noindex",
        "no-referrer",
    )

    # Whether the application exists or not, whatever is wrong with the link: the same page.
    async with httpx.AsyncClient(base_url=intake, timeout=10) as client:
        reference = await client.get(f"/antraege/{application_id}", params={"token": "0" * 32})
        for url in (
            f"/antraege/{uuid4()}?token={'0' * 32}",  # an unknown application
            f"/antraege/{uuid4()}?token={good_token}",  # another application's token
            f"/antraege/{application_id}",  # the token cut off
            f"/antraege/{application_id}?token=",
            f"/antraege/{application_id}?token={good_token[:20]}",  # cut mid-token
            f"/antraege/{application_id}?token=%C3%A4%C3%B6%C3%BC",  # typed-in umlauts
            f"/antraege/{application_id[:20]}?token={good_token}",  # cut mid-id
            "/antraege/kein-antrag",
            "/antraege/",
        ):
            answer = await client.get(url)
            assert answer.status_code == 404, url
            assert answer.headers["content-type"].startswith("text/html"), url
            assert answer.text == reference.text, url
        # The JSON API keeps answering in JSON, also for umlauts in the token.
        umlauts = await client.get(
            f"/api/v1/applications/{application_id}", params={"token": "äöü"}
        )
        assert umlauts.status_code == 404
        assert umlauts.json()["title"] == "Antrag nicht gefunden."
