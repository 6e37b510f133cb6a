"""casework's clerk pages in real Chromium, against the running suite and its issuer.

A clerk of Augustusburg signs in at the development issuer, finds Wurzen's delegated
Gewerbeanmeldung in the queue, claims it, overrules the rule that referred it and approves it
with a condition — all by keyboard; the applicant's tracking page shows the decision and the
mailbox has the decision with its PDF; a clerk of Thallwitz sees neither the case nor its
count; the case as it was before the decision is shown from its history, without forms.
Another run asks the applicant, hears the police with the town's deadline and is refused a
rejection without reasons, the error summary focused. axe-core looks at every kind of page.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from pypdf import PdfReader

from contracts.calendar import GERMANY, today
from contracts.events.casework import AutomatedRuleOverruled, CaseClaimed, CaseDecided
from runtime.desk import INLINE_DOCUMENT_POLICY
from services.casework.domain.deadlines import add_working_days
from tests.support.applications import gewerbeanmeldung, verkehrsrechtliche_anordnung
from tests.support.browser import CHROMIUM, axe_source, serious_violations
from tests.support.desk import (
    THALLWITZ,
    WURZEN,
    case_events,
    case_when,
    clerk_token,
    desk_client,
)
from tests.support.desk_pages import (
    clerk_identity,
    focused,
    sign_in_by_keyboard,
    sign_in_with_cookie,
    tab_to,
)
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.suite import Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

CLERK = "augustusburg.sachbearbeitung"
APPLICANT = "hedwig.quirinus@example.org"
REASON = "Erlaubnis nach § 34a GewO liegt vor (Landratsamt, 12.11.2026)."
CONDITION = "Die Erlaubnis nach § 34a GewO ist im Betrieb vorzuhalten."


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


async def german_context(browser: Browser) -> BrowserContext:
    """A German browser context with axe-core in every page."""
    context = await browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    await context.add_init_script(axe_source())
    return context


async def apply(suite: Suite, procedure: str, body: dict[str, Any]) -> dict[str, Any]:
    """Submit at intake; its answer (id, case number, tracking page)."""
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=15) as client:
        answer = await client.post(
            f"/api/v1/towns/{WURZEN}/procedures/{procedure}/applications", json=body
        )
    assert answer.status_code == 201, answer.text
    accepted: dict[str, Any] = answer.json()
    return accepted


async def press_and_load(page: Page, key: str) -> int:
    """Press ``key`` on a form's button; the status of the page it leads to."""
    async with page.expect_navigation() as navigation:
        await page.keyboard.press(key)
    response = await navigation.value
    return response.status if response else 0


async def no_serious_violations(page: Page) -> None:
    found = await serious_violations(page)
    assert found == [], found


async def decision_mail(smtp: SmtpServer, timeout: float = 30) -> bytes:
    """The decision's PDF from the mail to the applicant."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for mail in smtp.mailbox.messages:
            if mail["To"] == APPLICANT and str(mail["Subject"]).startswith("Bescheid:"):
                [pdf] = list(mail.iter_attachments())
                assert pdf.get_content_type() == "application/pdf"
                content = pdf.get_payload(decode=True)
                assert isinstance(content, bytes)
                return content
        await asyncio.sleep(0.1)
    raise AssertionError(f"no decision mail: {[m['Subject'] for m in smtp.mailbox.messages]}")


async def dispatched(page: Page, timeout: float = 30) -> None:
    """Reload the case page until it shows the decision letter's dispatch."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        await page.reload()
        if "versandt am" in await page.locator("#versand").inner_text():
            return
        await asyncio.sleep(0.3)
    raise AssertionError("the case page never showed the letter's dispatch")


async def tracking_page_shows(url: str, text: str, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(timeout=15) as client:
        while asyncio.get_running_loop().time() < deadline:
            if text in (await client.get(url)).text:
                return
            await asyncio.sleep(0.2)
    raise AssertionError(f"the tracking page never showed {text!r}")


@pytest.mark.timeout(90)
async def test_an_augustusburg_clerk_decides_wurzens_delegated_case_by_keyboard(
    suite: Suite, issuer: DevIssuer, smtp: SmtpServer, browser: Browser
) -> None:
    desk = suite.url("casework")
    accepted = await apply(
        suite, "gewerbeanmeldung", gewerbeanmeldung(form__business__regulated_activities=["34a"])
    )
    case_id, number = UUID(accepted["application_id"]), accepted["case_number"]
    async with desk_client(suite, clerk_token(issuer, WURZEN, "W")) as api:
        await case_when(api, case_id, "queued")
    context = await german_context(browser)
    page = await context.new_page()

    # The queue: signed in at the issuer by keyboard, back to the queue.
    await page.goto(f"{desk}/desk/vorgaenge")
    assert page.url.startswith(f"{issuer.url}/authorize?")
    await sign_in_by_keyboard(page, CLERK)
    await page.wait_for_url(f"{desk}/desk/vorgaenge")
    assert await page.locator("h1").inner_text() == "Arbeitskorb Augustusburg"
    row = page.locator(f"#vorgang-{case_id}")
    for shown in (number, "Gewerbeanmeldung", "Hedwig Quirinus-Zwetschgenbaum", "Wurzen"):
        assert shown in await row.inner_text()
    assert "niemandem" in await row.inner_text()
    counts = page.locator("table.zahlen")
    assert await counts.locator("thead th").all_inner_texts() == [
        "Verfahren",
        "Im Arbeitskorb",
        "Gesamt",
    ]
    assert await counts.locator("tbody tr").first.inner_text() == "Gewerbeanmeldung\t1\t1"
    await no_serious_violations(page)

    # Thallwitz: neither the case nor its count, and its page is not found.
    thallwitz = await browser.new_context(locale="de-DE")
    await sign_in_with_cookie(thallwitz, suite, clerk_identity(THALLWITZ, "Thea Thalheim"))
    other = await thallwitz.new_page()
    await other.goto(f"{desk}/desk/vorgaenge")
    assert await other.locator("h1").inner_text() == "Arbeitskorb Thallwitz"
    assert number not in await other.content()
    assert await other.locator("#keine-offenen").is_visible()
    answer = await other.goto(f"{desk}/desk/vorgaenge/{case_id}")
    assert answer is not None
    assert answer.status == 404
    assert number not in await other.content()
    await thallwitz.close()

    # Claimed from the queue by keyboard.
    await tab_to(page, text=f"Übernehmen {number}")
    assert await press_and_load(page, "Enter") == 200
    assert page.url == f"{desk}/desk/vorgaenge/{case_id}#inhalt"
    assert await page.locator(".hinweis").inner_text() == "Sie haben den Vorgang übernommen."
    assert (await page.locator("#bearbeitung").inner_text()).startswith("Ihnen, seit ")
    await no_serious_violations(page)

    # The failed rule is overruled with a reason, by keyboard.
    failed = page.locator("#regel-no_permit_requiring_trade")
    assert "Nicht erfüllt" in await failed.inner_text()
    await tab_to(page, element_id="ueberstimmen-no_permit_requiring_trade")
    await page.keyboard.type(REASON)
    await page.keyboard.press("Tab")
    assert (await focused(page))["text"].startswith("Regel überstimmen")
    assert await press_and_load(page, "Enter") == 200
    assert "Nicht erfüllt – überstimmt" in await failed.inner_text()
    assert REASON in await failed.inner_text()

    # Approved with a condition, by keyboard: the radio by Space, the button by Enter.
    await tab_to(page, element_id="entscheidung-ergebnis")
    await page.keyboard.press("Space")
    await tab_to(page, element_id="entscheidung-auflagen", limit=5)
    await page.keyboard.type(CONDITION)
    await tab_to(page, element_id="entscheiden", limit=10)
    assert await press_and_load(page, "Enter") == 200
    assert page.url.endswith("#entscheidung")
    assert await page.locator("#ergebnis").inner_text() == "Dem Antrag wurde stattgegeben."
    assert await page.locator("#auflagen").inner_text() == CONDITION
    assert await page.locator("#status").inner_text() == "Abgeschlossen"
    assert await page.locator("main form[method=post]").count() == 0  # nothing left to do
    await no_serious_violations(page)

    # The applicant: the decision on the tracking page, the letter in the mailbox.
    letter = await decision_mail(smtp)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter)).pages)
    assert CONDITION in " ".join(text.split())
    await tracking_page_shows(accepted["status_page_url"], "Ihrem Antrag wurde stattgegeben")

    # The case page: the letter (the very PDF mailed, shown in the page), its dispatch.
    await dispatched(page)
    assert "bekanntgegeben am" in await page.locator("#versand").inner_text()
    href = await page.locator("#bescheid-link").get_attribute("href")
    assert href == f"/desk/vorgaenge/{case_id}/dateien/bescheid"
    frame = page.locator("iframe.dokument")
    assert await frame.get_attribute("src") == href
    served = await context.request.get(f"{desk}{href}")
    assert served.status == 200
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline;")
    assert served.headers["content-security-policy"] == INLINE_DOCUMENT_POLICY
    assert await served.body() == letter

    # As it was before the decision: from the history, marked, without any form to act.
    # The form takes whole seconds and shows everything up to the end of the typed one: the
    # second of the overrule, unless the decision fell into that second too, then the one before.
    history = await case_events(suite, case_id)
    claimed, overruled, decided = (
        next(e.meta.occurred_at for e in history if isinstance(e.event, kind)).replace(
            microsecond=0
        )
        for kind in (CaseClaimed, AutomatedRuleOverruled, CaseDecided)
    )
    second = min(overruled, decided - timedelta(seconds=1))
    assert second >= claimed, "claimed and decided within one second: no moment in between"
    local = second.astimezone(GERMANY)
    await page.fill("#stand", local.date().isoformat())
    await page.fill("#stand-zeit", local.strftime("%H:%M:%S"))
    await page.focus("#stand-zeit")
    assert await press_and_load(page, "Enter") == 200
    banner = await page.locator("#vergangen").inner_text()
    assert f"Stand vom {local:%d.%m.%Y, %H:%M:%S} Uhr" in banner
    assert await page.locator("#status").inner_text() == "In Bearbeitung"
    assert await page.locator("#ergebnis").count() == 0
    assert await page.locator("main form[method=post]").count() == 0
    assert "Entschieden" not in await page.locator("#verlauf + div").inner_text()
    await no_serious_violations(page)
    await context.close()


@pytest.mark.timeout(90)
async def test_a_request_a_hearing_and_a_rejection_without_reasons_refused_at_its_field(
    suite: Suite, issuer: DevIssuer, browser: Browser
) -> None:
    desk = suite.url("casework")
    accepted = await apply(suite, "verkehrsrechtliche-anordnung", verkehrsrechtliche_anordnung())
    case_id = UUID(accepted["application_id"])
    async with desk_client(suite, clerk_token(issuer, WURZEN, "W")) as api:
        await case_when(api, case_id, "queued")
    context = await german_context(browser)
    await sign_in_with_cookie(context, suite, clerk_identity(WURZEN, "Wenzel Wurzner"))
    page = await context.new_page()
    await page.goto(f"{desk}/desk/vorgaenge/{case_id}")
    await page.click("#uebernehmen")
    await page.wait_for_url(f"{desk}/desk/vorgaenge/{case_id}#inhalt")

    # A request for information, with the suggested date.
    await page.fill("#rueckfrage-frage", "Bitte reichen Sie den Verkehrszeichenplan nach.")
    await page.click("text=Rückfrage stellen")
    await page.wait_for_url("**#rueckfragen")
    assert "Die Rückfrage ist gestellt" in await page.locator(".hinweis").inner_text()
    asked = await page.locator(".rueckfrage").inner_text()
    assert "Bitte reichen Sie den Verkehrszeichenplan nach." in asked
    assert "Noch keine Antwort." in asked
    assert await page.locator("#status").inner_text() == "Rückfrage an Antragsteller/in"

    # The police heard, with Wurzen's deadline of ten working days.
    await page.select_option("#anhoerung-stelle", "polizei")
    await page.fill("#anhoerung-gegenstand", "Vollsperrung der Wenceslaigasse")
    await page.click("text=Anhörung einleiten")
    await page.wait_for_url("**#anhoerungen")
    police = await page.locator("#anhoerung-polizei").inner_text()
    assert "Polizeirevier (örtlich zuständig)" in police
    assert "Vollsperrung der Wenceslaigasse" in police
    assert f"{add_working_days(today(), 10):%d.%m.%Y}" in police
    assert "Steht aus." in police
    assert await page.locator("#status").inner_text() == "Anhörung läuft"
    await no_serious_violations(page)

    # A rejection without reasons: refused at its field, the error summary focused.
    await page.check("#entscheidung-ablehnen")
    await page.focus("#entscheiden")
    assert await press_and_load(page, "Enter") == 422
    now = await focused(page)
    assert now["tag"] == "DIV"
    assert await page.evaluate("document.activeElement.classList.contains('fehlerliste')")
    link = page.locator(".fehlerliste a")
    assert await link.inner_text() == "Eine Ablehnung muss begründet werden."
    assert await link.get_attribute("href") == "#entscheidung-gruende"
    reasons = page.locator("#entscheidung-gruende")
    assert await reasons.get_attribute("aria-invalid") == "true"
    assert await page.locator("#entscheidung-ablehnen").is_checked()  # what was chosen stays
    await page.keyboard.press("Tab")
    assert (await focused(page))["text"] == "Eine Ablehnung muss begründet werden."
    await page.keyboard.press("Enter")
    assert (await focused(page))["id"] == "entscheidung-gruende"
    await no_serious_violations(page)
    async with desk_client(suite, clerk_token(issuer, WURZEN, "W")) as api:
        case = (await api.get(f"/api/v1/desk/cases/{case_id}")).json()
    assert case["outcome"] is None
    assert case["status"] == "hearing"
    await context.close()

    # Wurzen's supervisor lets Thallwitz process traffic orders, and moves this open one.
    lead = await german_context(browser)
    leonie = clerk_identity(WURZEN, "Leonie Lindner", roles=("clerk", "supervisor"))
    await sign_in_with_cookie(lead, suite, leonie)
    page = await lead.new_page()
    await page.goto(f"{desk}/desk/delegationen")
    assert await page.locator("h1").inner_text() == "Delegationen Wurzen"
    await no_serious_violations(page)
    await page.select_option("#delegation-verfahren", "verkehrsrechtliche-anordnung")
    await page.check(f"#delegation-{THALLWITZ}")
    await page.click("text=Vereinbarung speichern")
    await page.wait_for_url("**#verfahren-verkehrsrechtliche-anordnung")
    assert "gilt ab sofort für neue Vorgänge" in await page.locator(".hinweis").inner_text()
    agreed = await page.locator("#verfahren-verkehrsrechtliche-anordnung").inner_text()
    assert "Thallwitz" in agreed
    assert "in Kraft" in agreed
    await page.goto(f"{desk}/desk/vorgaenge/{case_id}")
    assert await page.locator("#bearbeitend").inner_text() == "Wurzen"
    await page.click("text=Bearbeitende Kommunen ändern")
    await page.check(f"#verschieben-{THALLWITZ}")
    await page.fill("#verschieben-grund", "Neue Vereinbarung mit Thallwitz")
    await page.click("button:has-text('Bearbeitende Kommunen ändern')")
    await page.wait_for_url("**#leitung")
    assert await page.locator("#bearbeitend").inner_text() == "Wurzen, Thallwitz"
    assert "Neue Vereinbarung mit Thallwitz" in await page.locator("#verlauf + div").inner_text()
    await no_serious_violations(page)
    await lead.close()
