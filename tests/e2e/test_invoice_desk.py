"""The clerks' pages for incoming e-invoices in real Chromium, on one stack (intake,
casework, billing).

Wurzen's supervisor agrees through casework's delegation API that Augustusburg, the service
centre, processes Wurzen's invoices (``eingangsrechnung``); an official KoSIT test invoice of
21.701,70 € with Wurzen's Leitweg-ID arrives by the API. A clerk of Augustusburg signs in at
the development issuer by keyboard, finds the invoice in the room „Eingangsrechnungen“,
opens it and reads its business terms in German (the buyer's address, which only the
original holds, too), the check's report and the history, and downloads the original byte
for byte. Then, on the page's forms: clerk A signs it sachlich richtig; A's Anordnung is
refused on the page with the rule's sentence and the note kept; a rejection without reasons
is refused at its field; clerk B orders the payment; above Wurzen's threshold (5.000 €) the
page says why a second approval is needed and clerk C gives it. Wurzen's treasury makes the
pain.001 from its page: the invoice in it once; a second file is not made. A clerk of
Thallwitz gets the desk's 404 for the invoice, its original and its forms. axe-core finds
nothing serious on any page.
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
from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from runtime.auth import Identity
from runtime.desk.csrf import CSRF_FIELD
from runtime.desk.session import SESSION_COOKIE
from services.billing.einvoices.artefacts import BESIDE_THE_REPOSITORY
from tests.support.browser import CHROMIUM, axe_source, serious_violations
from tests.support.desk import AUGUSTUSBURG, THALLWITZ, WURZEN, clerk_token
from tests.support.desk_pages import clerk_identity, sealed_session, sign_in_by_keyboard, tab_to
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

TESTSUITE = BESIDE_THE_REPOSITORY / "testsuite/src/test/business-cases/standard"
WURZEN_LEITWEG = "147290410410-0001-45"  # deploy/members/14729410-wurzen.toml
XML = {"content-type": "application/xml"}
CLERK = "augustusburg.sachbearbeitung"  # Anton Augst, devstack/issuer/demo.toml
WURZEN_IBAN = "DE51860555920000729410"  # deploy/members/14729410-wurzen.toml
PAIN = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
SAME_PERSON = (
    "Die sachliche Richtigkeit und die Anordnung dürfen nicht von derselben Person stammen."
)


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
) -> AsyncIterator[Suite]:
    namespace = f"t{secrets.token_hex(4)}"
    admin = await asyncpg.connect(pg_admin_url)
    names = [f"test_{secrets.token_hex(5)}" for _ in range(3)]
    for name in names:
        await admin.execute(f'CREATE DATABASE "{name}"')
    urls = [pg_admin_url.rsplit("/", 1)[0] + f"/{name}" for name in names]
    suite = Suite(
        nats_url=nats_url,
        database_urls={"intake": urls[0], "casework": urls[1], "billing": urls[2]},
        smtp_port=1,
        workdir=tmp_path_factory.mktemp("invoice-desk"),
        namespace=namespace,
        issuer_url=issuer.url,
    )
    try:
        suite.start(("intake", "casework", "billing"))  # intake keeps the data keys' stream
        yield suite
    finally:
        suite.stop()
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="module")
async def delegated(stack: Suite, issuer: DevIssuer) -> None:
    """Wurzen's supervisor lets Augustusburg process Wurzen's invoices (casework's API)."""
    supervisor = clerk_token(issuer, WURZEN, "Leonie Lindner", roles=("clerk", "supervisor"))
    async with httpx.AsyncClient(
        base_url=stack.url("casework"), headers={"Authorization": f"Bearer {supervisor}"}
    ) as casework:
        agreed = await casework.put(
            f"/api/v1/desk/delegations/{WURZEN}/eingangsrechnung",
            json={"processing_towns": [AUGUSTUSBURG]},
        )
    assert agreed.status_code == 200, agreed.text


@pytest.fixture(scope="module")
async def invoice(stack: Suite, delegated: None) -> tuple[str, bytes]:
    """Wurzen's invoice of 21.701,70 € (7 lines): its id and the bytes sent."""
    original = addressed_to_wurzen("01.06a-INVOICE_ubl.xml")
    return await send_invoice(stack, original), original


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
    stack: Suite, issuer: DevIssuer, browser: Browser, invoice: tuple[str, bytes]
) -> None:
    suite = stack
    desk = suite.url("billing")
    invoice_id, original = invoice

    # Signed in at the issuer by keyboard, back in the room „Eingangsrechnungen“.
    context = await browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    await context.add_init_script(axe_source())
    page = await context.new_page()
    await page.goto(f"{desk}/desk/rechnungen")
    assert page.url.startswith(f"{issuer.url}/authorize?")
    await sign_in_by_keyboard(page, CLERK)
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


async def submit(page: Page, button: str, **fields: str) -> int:
    """Fill the form's fields (by id), press its button; the status of the page shown."""
    for field_id, value in fields.items():
        await page.locator(f"#{field_id}").fill(value)
    async with page.expect_navigation() as shown:
        await page.locator(f"#{button}").click()
    answer = await shown.value
    assert answer is not None
    return answer.status


async def notice(page: Page) -> str:
    return (await page.locator(".hinweise").inner_text()).strip()


async def as_person(browser: Browser, suite: Suite, identity: Identity, path: str) -> Page:
    """A page of the desk in a browser where ``identity`` is signed in."""
    context = await signed_in(browser, suite, identity)
    page = await context.new_page()
    await page.goto(f"{suite.url('billing')}{path}")
    return page


def transfers_of(content: bytes, number: str) -> list[Any]:
    """The file's credit transfers whose remittance names invoice ``number``."""
    root = etree.fromstring(content)
    return [
        transfer
        for transfer in root.iterfind(".//p:CdtTrfTxInf", PAIN)
        if number in (transfer.findtext("p:RmtInf/p:Ustrd", namespaces=PAIN) or "")
    ]


@pytest.mark.timeout(120)
async def test_the_invoice_is_approved_under_four_eyes_on_its_page_and_paid_once(
    stack: Suite, browser: Browser, invoice: tuple[str, bytes]
) -> None:
    suite = stack
    desk = suite.url("billing")
    invoice_id, _ = invoice
    path = f"/desk/rechnungen/{invoice_id}"
    anton = clerk_identity(AUGUSTUSBURG, "Anton Augst")
    berta = clerk_identity(AUGUSTUSBURG, "Berta Buchner")
    carl = clerk_identity(AUGUSTUSBURG, "Carl Zweiter", roles=("clerk", "supervisor"))
    karla = clerk_identity(WURZEN, "Karla Kasse", roles=("treasury",))

    # A: sachlich richtig, in Wurzen's name.
    page = await as_person(browser, suite, anton, path)
    await reload_until(page, "#pruefung-senden")
    assert "über dem Schwellenwert von 5.000,00 € der Gemeinde Wurzen" in (
        await page.locator("#schwellenwert").inner_text()
    )
    await no_serious_violations(page)
    status = await submit(page, "pruefung-senden", **{"pruefung-vermerk": "Lieferung geprüft"})
    assert (status, page.url) == (200, f"{desk}{path}#freigabe")
    assert (await notice(page)).startswith("Die sachliche Richtigkeit ist bestätigt.")
    assert await page.locator("#freigabe-stand").inner_text() == (
        "Stand: Sachlich richtig – Anordnung offen"
    )
    steps = await page.locator("#freigabe-schritte").inner_text()
    assert "Sachlich richtig: Anton Augst (Augustusburg im Auftrag von Wurzen)" in steps
    assert "Vermerk: Lieferung geprüft" in steps

    # A again, the Anordnung: refused on the page, the note kept, the error at the form.
    status = await submit(page, "anordnung-senden", **{"anordnung-vermerk": "Bitte zahlen"})
    assert status == 409
    assert SAME_PERSON in await page.locator(".fehlerliste").inner_text()
    assert await page.locator(".fehlerliste a").get_attribute("href") == "#anordnung"
    assert await page.locator("#anordnung-fehler").text_content() == f"Fehler: {SAME_PERSON}"
    described = await page.locator("#anordnung").get_attribute("aria-describedby")
    assert "anordnung-fehler" in (described or "").split()
    assert await page.locator("#anordnung-vermerk").input_value() == "Bitte zahlen"
    await no_serious_violations(page)

    # A rejection without reasons: refused at its field, nothing rejected.
    status = await submit(page, "ablehnung-senden", **{"ablehnung-vermerk": "intern"})
    assert status == 422
    reasons = page.locator("#ablehnung-gruende")
    assert await reasons.get_attribute("aria-invalid") == "true"
    assert "ablehnung-gruende-fehler" in (await reasons.get_attribute("aria-describedby") or "")
    assert await page.locator("#ablehnung-gruende-fehler").text_content() == (
        "Fehler: Bitte nennen Sie mindestens einen Grund für die Ablehnung."
    )
    assert await page.locator("#ablehnung-vermerk").input_value() == "intern"
    await no_serious_violations(page)
    await page.context.close()

    # B orders; the page says why a third person must approve.
    page = await as_person(browser, suite, berta, path)
    assert await submit(page, "anordnung-senden") == 200
    assert "zweite Freigabe" in await notice(page)
    why = await page.locator("#zweitfreigabe-erklaerung").inner_text()
    assert why.startswith("Der Betrag von 21.701,70 € liegt über dem Schwellenwert von 5.000,00 €")
    assert await page.locator("#pruefung-senden, #anordnung-senden").count() == 0
    await no_serious_violations(page)
    await page.context.close()

    # C countersigns: approved, as the list says too.
    page = await as_person(browser, suite, carl, path)
    assert await submit(page, "zweitfreigabe-senden") == 200
    assert (await notice(page)).startswith("Die zweite Freigabe ist erteilt")
    assert "Freigegeben – zur Zahlung bereit" in await page.locator("#freigabe-stand").inner_text()
    await page.goto(f"{desk}/desk/rechnungen")
    assert "Freigegeben – zur Zahlung bereit" in (
        await page.locator(f"#rechnung-{invoice_id}").inner_text()
    )
    await page.context.close()

    # Wurzen's treasury: the file from the page, the invoice in it once, from Wurzen's account.
    page = await as_person(browser, suite, karla, "/desk/rechnungen")
    async with page.expect_navigation():
        await page.get_by_role("link", name="Zahlungsdateien der Kasse").click()
    assert "Eine Rechnung ist zur Zahlung freigegeben" in (
        await page.locator(f"#bereit-{WURZEN}").inner_text()
    )
    await no_serious_violations(page)
    assert await submit(page, f"erstellen-{WURZEN}") == 200
    assert await notice(page) == (
        "Die Zahlungsdatei ist erstellt: eine Überweisung über zusammen 21.701,70 €."
    )
    links = page.locator(f"#dateien-{WURZEN} a")
    assert await links.count() == 1
    served = await page.context.request.get(f"{desk}{await links.first.get_attribute('href')}")
    assert served.status == 200
    assert served.headers["content-disposition"].startswith("attachment;")
    content = await served.body()
    [transfer] = transfers_of(content, "R123456789")
    assert transfer.findtext("p:Amt/p:InstdAmt", namespaces=PAIN) == "21701.70"
    assert etree.fromstring(content).findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=PAIN) == (
        WURZEN_IBAN
    )
    await no_serious_violations(page)

    # Again: nothing left to pay, no second file.
    assert await submit(page, f"erstellen-{WURZEN}") == 200
    assert (await notice(page)).startswith("Es gibt keine freigegebenen")
    assert await page.locator(f"#dateien-{WURZEN} a").count() == 1
    await page.goto(f"{desk}{path}")
    assert await page.locator("#freigabe-stand").inner_text() == "Stand: In Zahlungsdatei"
    await page.context.close()

    # Thallwitz: the forms, like the page, are the desk's 404.
    thallwitz = clerk_identity(THALLWITZ, "Thea Thalheim")
    cookie, csrf = sealed_session(suite, thallwitz)
    async with httpx.AsyncClient(base_url=desk, cookies={SESSION_COOKIE: cookie}) as other:
        for action in ("sachlich-richtig", "anordnung", "zweite-freigabe", "ablehnung"):
            answer = await other.post(
                f"{path}/{action}",
                data={CSRF_FIELD: csrf, "gruende": "x"},
                headers={"Origin": desk},
            )
            assert answer.status_code == 404, (action, answer.text[:200])
