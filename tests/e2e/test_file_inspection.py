"""File inspection (Akteneinsicht): the applicant opens their filed case in a real browser from
the tracking page, downloads a document, and sees who looked — a clerk of the town the case
was delegated to, and themselves. A clerk of another town is refused, a wrong token finds
nothing, and every access is a ``FileInspected`` in archive's log."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from contracts.events.archive import FileInspected
from contracts.events.casework import Clerk
from contracts.naming import Service
from services.archive.aggregates import inspection_ref
from tests.conftest import DatabaseFactory
from tests.support.applications import AUGUSTUSBURG, WURZEN, gewerbeanmeldung
from tests.support.desk import THALLWITZ, clerk_token
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.otlp import OtlpReceiver
from tests.support.runtime import connected_runtime
from tests.support.suite import SERVICES, Suite

CHROMIUM = Path("/usr/bin/chromium")
APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def suite_linked_to_archive(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    smtp: SmtpServer,
    otlp: OtlpReceiver,
    issuer: DevIssuer,
    tmp_path: Path,
) -> AsyncIterator[Suite]:
    """The five services, archive first: intake links filed cases to archive's address."""
    running = Suite(
        nats_url=nats_url,
        database_urls={name: await new_database() for name in SERVICES},
        smtp_port=smtp.port,
        workdir=tmp_path,
        namespace=namespace,
        otlp_endpoint=otlp.endpoint,
        issuer_url=issuer.url,
    )
    try:
        running.start(("archive",))
        running.service_env["intake"] = {"INTAKE_ARCHIVE_PUBLIC_URL": running.url("archive")}
        running.start(tuple(name for name in SERVICES if name != "archive"))
        yield running
    finally:
        running.stop()


async def reload_until(page: Page, url: str, text: str, timeout: float = 45.0) -> None:
    """Open ``url`` again until the page shows ``text`` (the read models catch up)."""
    deadline = asyncio.get_running_loop().time() + timeout
    await page.goto(url)
    while text not in await page.locator("body").inner_text():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no {text!r}:\n{await page.locator('body').inner_text()}")
        await asyncio.sleep(0.3)
        await page.goto(url)


@pytest.mark.timeout(240)
async def test_the_applicant_inspects_their_file_and_sees_who_looked(
    suite_linked_to_archive: Suite,
    browser: Browser,
    issuer: DevIssuer,
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
) -> None:
    suite = suite_linked_to_archive
    intake, archive = suite.url("intake"), suite.url("archive")
    async with httpx.AsyncClient(base_url=intake, timeout=10) as client:
        accepted = (await client.post(APPLY, json=gewerbeanmeldung())).json()
    case_id = accepted["application_id"]
    token = parse_qs(urlsplit(accepted["status_page_url"]).query)["token"][0]

    # The tracking page links the filed case to archive; the file lists both documents.
    page = await browser.new_page()
    await reload_until(page, accepted["status_page_url"], "Akte einsehen")
    async with page.expect_navigation():
        await page.get_by_role("link", name="Akte einsehen").click()
    file_url = f"{archive}/akte/{case_id}?token={token}"
    assert page.url == file_url
    await reload_until(page, file_url, "Gebührenbescheid:")
    await reload_until(page, file_url, "Bescheid:")
    assert await page.get_attribute("html", "lang") == "de"
    assert await page.get_by_role("heading", level=1).all_inner_texts() == ["Ihre Akte"]
    async with httpx.AsyncClient(base_url=archive, timeout=10) as client:
        record = (await client.get(f"/api/v1/files/{case_id}")).json()
    fact = page.locator("dt:text-is('Aktenzeichen') + dd")
    assert await fact.inner_text() == record["file_reference"]
    assert await page.locator("dt:text-is('Gemeinde') + dd").inner_text() == "Wurzen"
    entries = await page.locator("main ol > li > span").all_inner_texts()
    assert entries[0].startswith("Antrag eingereicht (Vorgangsnummer WUR-")
    assert "Entschieden: genehmigt (automatisch)" in entries
    assert any(entry.startswith("Gebühr festgesetzt: 26,00 EUR") for entry in entries)

    # The decision letter downloads, byte for byte the one intake gives the applicant.
    letter_link = page.get_by_role("link", name=re.compile(r"^Bescheid: "))
    async with page.expect_download() as info:
        await letter_link.click()
    download = await info.value
    downloaded = await asyncio.to_thread(Path(await download.path()).read_bytes)
    async with httpx.AsyncClient(base_url=intake, timeout=10) as client:
        from_intake = await client.get(
            f"/api/v1/applications/{case_id}/decision-document", params={"token": token}
        )
    assert from_intake.status_code == 200
    assert downloaded == from_intake.content
    assert downloaded.startswith(b"%PDF")

    # A clerk of Augustusburg, to which Wurzen delegated the procedure, reads the file.
    erika = clerk_token(issuer, AUGUSTUSBURG, "Erika Muster")
    async with httpx.AsyncClient(base_url=archive, timeout=10) as client:
        answer = await client.get(
            f"/api/v1/files/{case_id}/inspection", headers={"Authorization": f"Bearer {erika}"}
        )
        assert answer.status_code == 200, answer.text
        seen = answer.json()
        assert seen["file_reference"] == record["file_reference"]
        assert seen["intact"] is True
        [letter] = [d for d in seen["documents"] if d["kind"] == "Bescheid"]
        assert letter["sha256"] == hashlib.sha256(downloaded).hexdigest()

        # A clerk of Thallwitz has nothing to do with the case; nobody without a token either.
        other = clerk_token(issuer, THALLWITZ, "Theo Fremd")
        refused = await client.get(
            f"/api/v1/files/{case_id}/inspection", headers={"Authorization": f"Bearer {other}"}
        )
        assert refused.status_code == 403, refused.text
        assert (await client.get(f"/api/v1/files/{case_id}/inspection")).status_code == 401

        # A wrong token finds nothing, for the file and for its documents alike.
        wrong = "0" * 32 if token != "0" * 32 else "1" * 32
        for path in (f"/akte/{case_id}", f"/akte/{case_id}/dokumente/{letter['filename']}"):
            missing = await client.get(path, params={"token": wrong})
            assert missing.status_code == 404
            assert "Akte nicht gefunden" in missing.text
            assert letter["filename"] not in missing.text

    # The applicant sees the clerk's access and their own; the refused one left no trace.
    await reload_until(page, file_url, "Erika Muster, Sachbearbeitung, Augustusburg")
    log = await page.locator("main table tbody").inner_text()
    assert "Sie selbst (über Ihren Link)" in log
    assert f"das Dokument „{letter['filename']}“" in log
    assert "Theo Fremd" not in log

    # Every access is an event in archive's log, the clerk named as the sign-in names them.
    reader = await connected_runtime(Service.ARCHIVE, nats_url, namespace, await new_database())
    try:
        loaded = await reader.store.load(inspection_ref(WURZEN, UUID(case_id)))
    finally:
        await reader.stop()
    events = [e.event for e in loaded.events]
    assert all(isinstance(e, FileInspected) for e in events)
    by_clerk = [e for e in events if isinstance(e, FileInspected) and e.by == "clerk"]
    assert [e.model_dump(exclude={"inspected_at"}) for e in by_clerk] == [
        {
            "case_id": UUID(case_id),
            "by": "clerk",
            "clerk": Clerk(
                id=f"erika.muster@{AUGUSTUSBURG}", name="Erika Muster", town=AUGUSTUSBURG
            ).model_dump(),
            "what": "file",
        }
    ]
    assert any(
        isinstance(e, FileInspected) and e.by == "applicant" and e.what == letter["filename"]
        for e in events
    )

    # After an erasure the file shows nothing personal: no documents, only what stays.
    async with httpx.AsyncClient(base_url=archive, timeout=10) as client:
        erased = await client.post(
            "/api/v1/erasures",
            json={"case_id": case_id, "reason": "Test der Akteneinsicht"},
            headers=suite.operator_headers(),
        )
        assert erased.status_code == 202, erased.text
        await reload_until(page, file_url, "persönlichen Daten in diesem Vorgang sind gelöscht")
        assert await page.locator("a[href*='/dokumente/']").count() == 0
        assert "Erika Muster, Sachbearbeitung, Augustusburg" in await page.inner_text("main")
        gone = await client.get(f"/akte/{case_id}/dokumente/{letter['filename']}?token={token}")
        assert gone.status_code == 404
        assert "Dokument nicht verfügbar" in gone.text
