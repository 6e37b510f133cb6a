"""The clerks' e-file at archive's desk (Akteneinsicht) in real Chromium, archive alone on the
run's NATS and PostgreSQL and the development issuer.

A case of Wurzen with a decision letter is filed from its events. Wurzen's clerk signs in at
the issuer by keyboard, lands in the room „E-Akte“, finds the file by its case number (typed
in small letters), opens it — record, check, documents, who looked — and downloads the
letter byte for byte. A clerk of Thallwitz, which has nothing to do with the case, finds
nothing by the same number and gets the desk's 403 page for the file and its letter; an
unknown case is not found. The applicant's own page then lists Wurzen's clerk, and archive's
log holds exactly the clerk's two looks as ``FileInspected``. axe-core finds nothing serious.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from contracts.events.archive import FileInspected
from contracts.naming import Service
from runtime.desk.session import SESSION_COOKIE
from services.archive.aggregates import inspection_ref
from services.archive.domain.inspection import token_digest
from tests.conftest import DatabaseFactory
from tests.e2e.conftest import StartAlone
from tests.support.browser import CHROMIUM, axe_source, serious_violations
from tests.support.desk import THALLWITZ, WURZEN
from tests.support.desk_pages import clerk_identity, sealed_session, sign_in_by_keyboard, tab_to
from tests.support.filed_cases import file_a_case
from tests.support.issuer import DevIssuer
from tests.support.polling import get_once_there
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

CLERK = "wurzen.sachbearbeitung"  # Wenzel Wurzner, devstack/issuer/demo.toml
NUMBER = "WUR-2026-000042"
TOKEN = "applicant-token-0123456789abcdef"
LETTER = b"%PDF-1.7\n% Bescheid ueber die Gewerbeanmeldung\n"


@pytest.fixture
async def archive(start_alone: StartAlone) -> Suite:
    """archive alone (the desk needs nothing else: the case's events are written directly)."""
    return await start_alone("archive")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


async def search(page: Page, typed: str) -> None:
    """Type into the search field and send the form (by keyboard)."""
    await page.locator("#suche").fill(typed)
    async with page.expect_navigation():
        await page.locator("#suche").press("Enter")


async def search_until(page: Page, typed: str, selector: str, timeout: float = 30) -> None:
    """Search again until ``selector`` shows (the read model follows the log)."""
    deadline = asyncio.get_running_loop().time() + timeout
    await search(page, typed)
    while not await page.locator(selector).count():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{selector} never showed: {await page.inner_text('main')}")
        await asyncio.sleep(0.2)
        await search(page, typed)


async def no_serious_violations(page: Page) -> None:
    found = await serious_violations(page)
    assert found == [], found


@pytest.mark.timeout(150)
async def test_a_clerk_finds_opens_and_downloads_a_file_and_the_applicant_sees_it(
    archive: Suite,
    browser: Browser,
    issuer: DevIssuer,
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
) -> None:
    desk = archive.url("archive")
    case_id = await file_a_case(
        nats_url,
        namespace,
        new_database,
        documents={"bescheid.pdf": LETTER},
        case_number=NUMBER,
        tracking_digest=token_digest(TOKEN),
        issued=True,
    )
    async with httpx.AsyncClient(base_url=desk, timeout=30) as client:
        record = (await get_once_there(client, f"/api/v1/files/{case_id}")).json()
    reference = record["file_reference"]

    # Signed in at the issuer by keyboard, back in the room „E-Akte“.
    context = await browser.new_context(
        locale="de-DE", timezone_id="Europe/Berlin", accept_downloads=True
    )
    await context.add_init_script(axe_source())
    page = await context.new_page()
    await page.goto(f"{desk}/desk/")
    assert page.url.startswith(f"{issuer.url}/authorize?")
    await sign_in_by_keyboard(page, CLERK)
    await page.wait_for_url(f"{desk}/desk/akten")
    assert await page.get_attribute("html", "lang") == "de"
    assert await page.locator("h1").inner_text() == "E-Akte"
    assert await page.locator("nav.bereiche a[aria-current]").inner_text() == "E-Akte"
    await no_serious_violations(page)

    # Found by its case number, typed in small letters: one file, Wurzen's.
    await search_until(page, NUMBER.lower(), f"#akte-{case_id}")
    row = await page.locator(f"#akte-{case_id}").inner_text()
    for shown in (reference, NUMBER, "Wurzen", "Gewerbeanmeldung"):
        assert shown in row, row
    assert await page.locator("#akten tbody tr").count() == 1
    await no_serious_violations(page)

    # Opened from the list by keyboard: the record, the check, the letter, who looked.
    await tab_to(page, text=reference)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url == f"{desk}/desk/akten/{case_id}"
    heading = " ".join((await page.locator("h1").inner_text()).split())
    assert heading == f"Akte {reference} Gewerbeanmeldung"
    assert await page.locator("#vorgangsnummer").inner_text() == NUMBER
    assert await page.locator("#gemeinde").inner_text() == "Wurzen"
    assert await page.locator("#unversehrtheit").inner_text() == (
        "geprüft: unverändert seit der Ablage"
    )
    checked = await page.locator("#pruefergebnis").inner_text()
    assert checked.count("in Ordnung") == 3, checked
    entries = await page.locator("#eintraege").inner_text()
    assert "Antrag eingereicht (Vorgangsnummer WUR-2026-000042)" in entries
    assert "Gebühr festgesetzt: 26,00 EUR" in entries
    log = await page.locator("#zugriffsliste tbody").inner_text()
    assert "Wenzel Wurzner, Sachbearbeitung, Wurzen" in log  # this very look, logged first
    await no_serious_violations(page)

    link = page.get_by_role("link", name="Bescheid: bescheid.pdf")
    assert await link.get_attribute("href") == f"/desk/akten/{case_id}/dokumente/bescheid.pdf"
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename == "bescheid.pdf"
    assert await asyncio.to_thread(Path(await download.path()).read_bytes) == LETTER
    await context.close()

    # Thallwitz: nothing found by the number, the desk's 403 page for the file and its letter.
    thallwitz = await browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    await thallwitz.add_init_script(axe_source())
    cookie, _ = sealed_session(archive, clerk_identity(THALLWITZ, "Theo Fremd"))
    await thallwitz.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": desk}])
    other = await thallwitz.new_page()
    await other.goto(f"{desk}/desk/akten")
    await search(other, NUMBER)
    assert await other.locator("#keine-akte").count() == 1
    assert reference not in await other.inner_text("main")
    refused = await other.goto(f"{desk}/desk/akten/{case_id}")
    assert refused is not None
    assert refused.status == 403
    assert await other.locator("h1").inner_text() == "Keine Berechtigung"
    assert "nicht zuständig" in await other.inner_text("main")
    assert reference not in await other.content()
    await no_serious_violations(other)
    letter = await thallwitz.request.get(f"{desk}/desk/akten/{case_id}/dokumente/bescheid.pdf")
    assert letter.status == 403
    assert LETTER not in await letter.body()
    unknown = await other.goto(f"{desk}/desk/akten/{uuid4()}")
    assert unknown is not None
    assert unknown.status == 404
    assert await other.locator("h1").inner_text() == "Akte nicht gefunden"
    garbled = await other.goto(f"{desk}/desk/akten/nicht-einmal-eine-id")
    assert garbled is not None
    assert garbled.status == 404
    await thallwitz.close()

    # The applicant's own page lists Wurzen's clerk — not the refused one of Thallwitz.
    async with httpx.AsyncClient(base_url=desk, timeout=10) as client:
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            applicant = await client.get(f"/akte/{case_id}", params={"token": TOKEN})
            assert applicant.status_code == 200, applicant.text
            if "das Dokument „bescheid.pdf“" in applicant.text:
                break
            assert asyncio.get_running_loop().time() < deadline, applicant.text
            await asyncio.sleep(0.2)
    assert "Wenzel Wurzner, Sachbearbeitung" in applicant.text
    assert "Theo Fremd" not in applicant.text

    # archive's log: the clerk's two looks (the file, then the letter), named as signed in.
    reader = await connected_runtime(Service.ARCHIVE, nats_url, namespace, await new_database())
    try:
        loaded = await reader.store.load(inspection_ref(WURZEN, UUID(str(case_id))))
    finally:
        await reader.stop()
    by_clerk = [
        (e.event.clerk.name, e.event.clerk.town, e.event.what)
        for e in loaded.events
        if isinstance(e.event, FileInspected) and e.event.clerk is not None
    ]
    assert by_clerk == [
        ("Wenzel Wurzner", WURZEN, "file"),
        ("Wenzel Wurzner", WURZEN, "bescheid.pdf"),
    ]
