"""The applicant's steps on the tracking page, in real Chromium, by keyboard alone.

A clerk asks for the insurance policy (``tests.support.case_events``): the applicant answers
on the page with a PDF — first forgetting the text, which the page says at the field. Then,
while the applicant is asked to confirm a withdrawal, the clerk decides: the withdrawal is
refused in German; the decision letter downloads, and an objection is lodged, which gets
its own number and its own page. No script, no JavaScript needed; axe-core finds nothing
serious in any of these states.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.async_api import BrowserContext, ConsoleMessage, Page, async_playwright

from tests.conftest import DatabaseFactory
from tests.support.applications import PDF, WURZEN, example
from tests.support.browser import CHROMIUM, axe_source, serious_violations
from tests.support.case_events import CaseDesk, case_desk
from tests.support.suite import Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

APPLY = f"/api/v1/towns/{WURZEN}/procedures/hundesteuer-anmeldung/applications"
QUESTION = "Bitte senden Sie uns die Police der Hundehaftpflichtversicherung."


@pytest.fixture
async def desk(
    nats_url: str, namespace: str, new_database: DatabaseFactory
) -> AsyncIterator[CaseDesk]:
    async with case_desk(nats_url, namespace, await new_database()) as running:
        yield running


@pytest.fixture
async def context() -> AsyncIterator[BrowserContext]:
    """A German browser context with axe-core in every page, downloads allowed."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = await browser.new_context(
                locale="de-DE", timezone_id="Europe/Berlin", accept_downloads=True
            )
            await context.add_init_script(axe_source())
            yield context
        finally:
            await browser.close()


FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, name: e.getAttribute("name") || "",
          text: (e.textContent || "").trim(), invalid: e.getAttribute("aria-invalid"),
          described: (e.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
            .map(id => document.getElementById(id)?.textContent.trim()),
          outline: style.outlineStyle};
}"""


async def focused(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = await page.evaluate(FOCUSED)
    return found


async def tab_to(page: Page, text: str | None = None, *, id: str | None = None) -> None:
    """Press Tab until the element with this text (or id) has the focus; it must show it."""
    for _ in range(60):
        await page.keyboard.press("Tab")
        now = await focused(page)
        if (id is not None and now["id"] == id) or (text is not None and now["text"] == text):
            assert now["outline"] != "none", now
            return
    raise AssertionError(f"{text or id} not reached by Tab")


async def no_serious_violations(page: Page, state: str) -> None:
    found = await serious_violations(page)
    assert found == [], f"{state}: {json.dumps(found, indent=1, ensure_ascii=False)}"


async def reload_until(page: Page, text: str, timeout: float = 30.0) -> None:
    """Reload like a citizen until the page says ``text``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while text not in await page.locator("main").inner_text():
        assert asyncio.get_running_loop().time() < deadline, await page.locator("main").inner_text()
        await asyncio.sleep(0.2)
        await page.reload()


async def decided(status_url: str, timeout: float = 30.0) -> None:
    """Wait until the decision is on the application's status."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(timeout=15) as client:
        while not (await client.get(status_url)).json()["decision"]:
            assert asyncio.get_running_loop().time() < deadline, "not decided in time"
            await asyncio.sleep(0.1)


async def test_a_question_is_answered_and_a_decision_objected_to_by_keyboard(
    suite: Suite, desk: CaseDesk, context: BrowserContext
) -> None:
    intake = suite.url("intake")
    async with httpx.AsyncClient(base_url=intake, timeout=15) as client:
        accepted = (await client.post(APPLY, json=example("hundesteuer-anmeldung"))).json()
    application_id = UUID(accepted["application_id"])
    page_url = accepted["status_page_url"]
    await desk.opened(application_id)
    await desk.ask(application_id, QUESTION)

    page = await context.new_page()
    console: list[ConsoleMessage] = []
    page.on("console", lambda message: console.append(message))
    choosers = asyncio.Queue[Any]()
    page.on("filechooser", lambda chooser: choosers.put_nowait(chooser))
    await page.goto(page_url)
    await reload_until(page, QUESTION)
    await no_serious_violations(page, "a question to answer")
    request = page.get_by_role("region", name="Rückfrage zu Ihrem Antrag")
    assert "Bitte antworten Sie bis zum" in await request.inner_text()
    assert await page.locator("#stand").inner_text() == (
        "Aktueller Stand: " + await page.locator("#stand strong").inner_text()
    )
    assert (await page.locator("#stand strong").inner_text()).startswith("Rückfrage offen")

    # Sent without an answer: the page comes back saying so, at the top and at the field.
    await tab_to(page, "Antwort senden")
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="Bitte prüfen Sie Ihre Angaben").wait_for()
    summary = page.locator(".fehlerliste a")
    assert await summary.all_inner_texts() == ["Bitte geben Sie Ihre Antwort ein."]
    await no_serious_violations(page, "the answer's mistakes")
    await page.keyboard.press("Tab")  # the skip link
    await tab_to(page, "Bitte geben Sie Ihre Antwort ein.")
    await page.keyboard.press("Enter")
    field = await focused(page)
    assert (field["tag"], field["name"], field["invalid"]) == ("TEXTAREA", "antwort", "true")
    assert field["described"] == ["Fehler: Bitte geben Sie Ihre Antwort ein."]

    # The answer, with the policy as a PDF chosen by keyboard.
    await page.keyboard.type("Die Police liegt bei. Versichert seit dem 1. November.")
    await page.keyboard.press("Tab")
    assert (await focused(page))["name"] == "dateien"
    await page.keyboard.press("Space")
    chooser = await asyncio.wait_for(choosers.get(), timeout=10)
    await chooser.set_files({"name": "police.pdf", "mimeType": "application/pdf", "buffer": PDF})
    await tab_to(page, "Antwort senden")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.startswith(page_url)
    assert "erledigt=antwort" in page.url
    main = await page.locator("main").inner_text()
    assert "Ihre Antwort ist eingegangen. Die Sachbearbeitung wird sie prüfen." in main
    assert QUESTION not in main
    assert "Ihre Antwort ist eingegangen" in await page.locator("main ol").inner_text()
    await no_serious_violations(page, "answered")

    # The withdrawal asks first; meanwhile the clerk decides, so it is refused.
    await tab_to(page, "Antrag zurücknehmen …")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.get_by_role("heading", level=1).inner_text() == "Antrag zurücknehmen?"
    await no_serious_violations(page, "asked to confirm the withdrawal")
    await desk.decide(application_id, "rejected")
    await decided(accepted["status_url"])
    await tab_to(page, "Ja, Antrag zurücknehmen")
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="Bitte prüfen Sie Ihre Angaben").wait_for()
    assert await page.locator(".fehlerliste li").all_inner_texts() == [
        "Über Ihren Antrag ist bereits entschieden; eine Rücknahme ist nicht mehr möglich."
        " Gegen den Bescheid können Sie Widerspruch einlegen."
    ]
    await page.goto(page_url)
    await reload_until(page, "Bescheid herunterladen")
    decision = await page.get_by_role("region", name="Bescheid").inner_text()
    assert "Ihr Antrag wurde abgelehnt." in decision
    assert re.search(
        r"gilt am \d\d\.\d\d\.\d{4} als bekannt gegeben\. Widerspruch können", decision
    )
    assert "zurücknehmen" not in await page.locator("main").inner_text()
    await no_serious_violations(page, "decided")

    # The letter downloads, as an attachment.
    await tab_to(page, "Bescheid herunterladen")
    async with page.expect_download() as downloading:
        await page.keyboard.press("Enter")
    download = await downloading.value
    assert download.suggested_filename.endswith(".pdf")
    saved = await download.path()
    letter = await asyncio.to_thread(Path(saved).read_bytes)
    assert letter.startswith(b"%PDF")
    assert hashlib.sha256(letter).hexdigest() in await desk.letters(application_id)

    # The objection, with its grounds; it gets a number and a page of its own.
    await tab_to(page, id="widerspruch-text")
    await page.keyboard.type("Die Police lag der Antwort bei; bitte prüfen Sie erneut.")
    await tab_to(page, "Widerspruch einlegen")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    main = await page.locator("main").inner_text()
    assert "Ihr Widerspruch ist eingegangen." in main
    lodged = re.search(
        r"Sie haben Widerspruch eingelegt \(Vorgangsnummer (WUR-\d{4}-\d{6})\)", main
    )
    assert lodged, main
    await no_serious_violations(page, "objected")
    await tab_to(page, "Stand Ihres Widerspruchs")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.get_by_role("heading", level=1).inner_text() == "Stand Ihres Widerspruchs"
    facts = await page.locator("dl").inner_text()
    assert lodged.group(1) in facts
    assert accepted["case_number"] in facts
    await no_serious_violations(page, "the objection's own page")

    # No script, and no policy violated (the 422 and 409 answers are the only errors).
    assert await page.locator("script").count() == 0
    errors = [m.text for m in console if m.type == "error"]
    assert [e for e in errors if "status of 422" not in e and "status of 409" not in e] == []
    assert len(errors) == 2
