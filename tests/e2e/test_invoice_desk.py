"""The clerks' pages for incoming e-invoices in real Chromium, on one stack (intake, billing).

An official KoSIT test invoice with Wurzen's Leitweg-ID arrives by the API; Wurzen has
delegated its invoice processing (``eingangsrechnung``) to Augustusburg, the service centre.
A clerk of Augustusburg signs in at the development issuer by keyboard, finds the invoice in
the room „Eingangsrechnungen“, opens it and reads its business terms in German (the buyer's
address, which only the original holds, too), the check's report and the history, and
downloads the original byte for byte. A clerk of Thallwitz gets the desk's 404 page for it.
axe-core finds nothing serious on either page.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from contracts.events.casework import DelegationAgreed
from contracts.naming import Service
from runtime.auth import Identity
from runtime.desk.session import SESSION_COOKIE
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.billing.einvoices.artefacts import BESIDE_THE_REPOSITORY
from tests.support.browser import CHROMIUM, axe_source, serious_violations
from tests.support.desk import AUGUSTUSBURG, THALLWITZ, WURZEN
from tests.support.desk_pages import clerk_identity, sealed_session, tab_to
from tests.support.issuer import DevIssuer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

TESTSUITE = BESIDE_THE_REPOSITORY / "testsuite/src/test/business-cases/standard"
WURZEN_LEITWEG = "147290410410-0001-45"  # deploy/members/14729410-wurzen.toml
XML = {"content-type": "application/xml"}
CLERK = "augustusburg.sachbearbeitung"  # Anton Augst, devstack/issuer/demo.toml


def addressed_to_wurzen(name: str) -> bytes:
    """An official test invoice with Wurzen's Leitweg-ID as buyer reference (nothing else)."""
    content = (TESTSUITE / name).read_bytes()
    derived, count = re.subn(
        rb"(<cbc:BuyerReference>)[^<]*(</)",
        rb"\g<1>" + WURZEN_LEITWEG.encode() + rb"\g<2>",
        content,
    )
    assert count == 1
    return derived


@pytest.fixture(scope="module")
async def stack(
    nats_url: str, pg_admin_url: str, issuer: DevIssuer, tmp_path_factory: Any
) -> AsyncIterator[tuple[Suite, Runtime]]:
    namespace = f"t{secrets.token_hex(4)}"
    admin = await asyncpg.connect(pg_admin_url)
    names = [f"test_{secrets.token_hex(5)}" for _ in range(3)]
    for name in names:
        await admin.execute(f'CREATE DATABASE "{name}"')
    urls = [pg_admin_url.rsplit("/", 1)[0] + f"/{name}" for name in names]
    suite = Suite(
        nats_url=nats_url,
        database_urls={"intake": urls[0], "billing": urls[1]},
        smtp_port=1,
        workdir=tmp_path_factory.mktemp("invoice-desk"),
        namespace=namespace,
        issuer_url=issuer.url,
    )
    casework = None
    try:
        suite.start(("intake", "billing"))
        casework = await connected_runtime(Service.CASEWORK, nats_url, namespace, urls[2])
        yield suite, casework
    finally:
        if casework is not None:
            await casework.stop()
        suite.stop()
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def delegate_invoices_to_augustusburg(casework: Runtime) -> None:
    """Wurzen lets Augustusburg process its invoices: the agreement in casework's stream."""
    agreed = DelegationAgreed(
        delegating_town=WURZEN,
        procedure="eingangsrechnung",
        processing_towns=[AUGUSTUSBURG],
        agreed_by="leonie.lindner@14729410",
    )
    await casework.store.append(
        AggregateRef(Service.CASEWORK, WURZEN, "delegation", f"{WURZEN}-eingangsrechnung"),
        [agreed],
        expected_seq=0,
        cause=Cause(actor="clerk:leonie.lindner@14729410", correlation_id=new_id()),
    )


async def send_invoice(suite: Suite, content: bytes) -> str:
    async with httpx.AsyncClient(base_url=suite.url("billing"), timeout=30) as supplier:
        sent = await supplier.post("/api/v1/einvoices", content=content, headers=XML)
    assert sent.status_code == 201, sent.text
    assert sent.json()["town"] == WURZEN
    invoice_id: str = sent.json()["invoice_id"]
    return invoice_id


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


async def signed_in(browser: Browser, suite: Suite, identity: Identity) -> BrowserContext:
    """A German browser context with ``identity``'s desk session (as if signed in)."""
    context = await browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    await context.add_init_script(axe_source())
    cookie, _ = sealed_session(suite, identity)
    await context.add_cookies(
        [{"name": SESSION_COOKIE, "value": cookie, "url": suite.url("billing")}]
    )
    return context


async def reload_until(page: Page, selector: str, timeout: float = 30) -> None:
    """Reload until ``selector`` is on the page (the read model follows the log)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await page.locator(selector).count():
            return
        await asyncio.sleep(0.2)
        await page.reload()
    raise AssertionError(f"{selector} never showed: {await page.inner_text('main')}")


async def no_serious_violations(page: Page) -> None:
    found = await serious_violations(page)
    assert found == [], found


@pytest.mark.timeout(90)
async def test_a_service_centre_clerk_reads_a_delegated_invoice(
    stack: tuple[Suite, Runtime], issuer: DevIssuer, browser: Browser
) -> None:
    suite, casework = stack
    desk = suite.url("billing")
    await delegate_invoices_to_augustusburg(casework)
    original = addressed_to_wurzen("01.06a-INVOICE_ubl.xml")  # 21.701,70 €, 7 lines
    invoice_id = await send_invoice(suite, original)

    # Signed in at the issuer by keyboard, back in the room „Eingangsrechnungen“.
    context = await browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    await context.add_init_script(axe_source())
    page = await context.new_page()
    await page.goto(f"{desk}/desk/rechnungen")
    assert page.url.startswith(f"{issuer.url}/authorize?")
    await tab_to(page, element_id="username", limit=15)
    await page.keyboard.type(CLERK)
    await page.keyboard.press("Tab")
    await page.keyboard.type(CLERK)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{desk}/desk/rechnungen")
    assert await page.locator("h1").inner_text() == "Eingangsrechnungen"
    assert await page.locator("nav.bereiche a[aria-current]").inner_text() == "Rechnungen"
    await reload_until(page, f"#rechnung-{invoice_id}")
    row = await page.locator(f"#rechnung-{invoice_id}").inner_text()
    for shown in ("R123456789", "[Seller name]", "Wurzen", "21.701,70 €"):
        assert shown in row, row
    assert "Eingegangen" in row
    await no_serious_violations(page)

    # Opened from the list by keyboard: every business term, worded in German.
    await tab_to(page, text="R123456789")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url == f"{desk}/desk/rechnungen/{invoice_id}"
    assert await page.locator("h1").inner_text() == "Rechnung R123456789 von [Seller name]"
    assert await page.locator("#betrag").inner_text() == "21.701,70 €"
    assert await page.locator("#gemeinde").inner_text() == "Wurzen"
    document = await page.locator("#dokument").inner_text()
    for shown in ("06.07.2016", "Rechnung (380)", WURZEN_LEITWEG):
        assert shown in document, document
    assert "[Buyer city]" in await page.locator("#kaeufer").inner_text()  # from the original
    assert await page.locator("#positionen tbody tr").count() == 7
    assert "Servicegebühren A" in await page.locator("#positionen").inner_text()
    totals = await page.locator("#summen").inner_text()
    assert "21.701,70 €" in totals
    assert "DE79 0000 0000 1234 5678 90" in await page.locator("#zahlung").inner_text()
    report = await page.locator("#pruefbericht").inner_text()
    assert "Ergebnis: angenommen" in report
    assert "Zugeordnet an" in report
    history = await page.locator("#verlauf").inner_text()
    assert "Rechnung eingegangen und geprüft" in history
    assert "Schnittstelle (API)" in history
    await no_serious_violations(page)

    # The original, opened with the invoice's key: byte for byte, as a download.
    href = await page.locator("#original-link").get_attribute("href")
    assert href == f"/desk/rechnungen/{invoice_id}/original"
    served = await context.request.get(f"{desk}{href}")
    assert served.status == 200
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["content-type"].startswith("application/xml")
    assert await served.body() == original
    await context.close()

    # Thallwitz: neither in its list nor behind the invoice's address — the desk's 404 page.
    thallwitz = await signed_in(browser, suite, clerk_identity(THALLWITZ, "Thea Thalheim"))
    other = await thallwitz.new_page()
    await other.goto(f"{desk}/desk/rechnungen")
    assert await other.locator(f"#rechnung-{invoice_id}").count() == 0
    answer = await other.goto(f"{desk}/desk/rechnungen/{invoice_id}")
    assert answer is not None
    assert answer.status == 404
    assert await other.locator("h1").inner_text() == "Rechnung nicht gefunden"
    assert "R123456789" not in await other.content()
    download = await thallwitz.request.get(f"{desk}/desk/rechnungen/{invoice_id}/original")
    assert download.status == 404
    await no_serious_violations(other)
    await thallwitz.close()
