"""The embeddable widget in real Chromium, on a town's page of another origin than intake.

The town's page comes from a plain static server (``tests/support/browser.py``) with a strict
CSP of its own and embeds the widget as the README tells a town to. Everything a citizen does
here is done by keyboard alone: Tab, Shift+Tab, Space, Enter, arrow keys and typing — no
mouse. axe-core (from the npm registry, checked against its integrity) looks at the form,
its errors and the confirmation.

The tests share one running suite and the town's website, each filing applications of its own.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    FileChooser,
    Locator,
    Page,
    Request,
    Route,
    async_playwright,
)

from contracts.calendar import today
from contracts.events.intake import InformationProvided
from contracts.naming import Service
from contracts.procedures import PROCEDURES
from runtime.eventstore import AggregateRef
from tests.conftest import DatabaseFactory
from tests.e2e.conftest import StartAlone
from tests.support.applications import PDF, WURZEN, example, gewerbeanmeldung
from tests.support.browser import (
    CHROMIUM,
    HOSTILE_CSS,
    StaticSite,
    axe_source,
    serious_violations,
    town_page,
)
from tests.support.case_events import CaseDesk, case_desk
from tests.support.suite import Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

WIDGET = "rathaus-antrag"
ELLEFELD = "14523090"
"""A member town that does not offer the Bewohnerparkausweis."""
TOWN_COLOURS = f"{WIDGET} {{ --rathaus-farbe: #7a1f2b; --rathaus-schrift: Georgia, serif; }}"
QUESTION = "Bitte senden Sie uns die Police der Hundehaftpflichtversicherung."


@pytest.fixture(scope="module")
def site() -> Iterator[StaticSite]:
    """The town's website: a plain static server on its own port (its own origin)."""
    running = StaticSite().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared_suite_env(site: StaticSite) -> dict[str, str]:
    """The module's suite: intake answers the town's website as a registered origin."""
    return {"INTAKE_CORS_ORIGINS": site.origin}


@pytest.fixture
async def desk(
    nats_url: str, shared_namespace: str, new_database: DatabaseFactory
) -> AsyncIterator[CaseDesk]:
    """A clerk's steps, appended to casework's stream as casework appends them."""
    async with case_desk(nats_url, shared_namespace, await new_database()) as running:
        yield running


@pytest.fixture(scope="session")
def axe() -> str:
    """axe-core, fetched once per machine (``.rathaus/cache``) and checked every time."""
    return axe_source()


@pytest.fixture
async def context(axe: str) -> AsyncIterator[BrowserContext]:
    """A German browser context with axe-core in every page."""
    async with async_playwright() as playwright:
        browser: Browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = await browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
            await context.add_init_script(axe)
            yield context
        finally:
            await browser.close()


FOCUSED = """() => {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  const box = e.getBoundingClientRect(), style = getComputedStyle(e);
  return {id: e.id, tag: e.tagName, type: e.type || "", text: e.textContent.trim(),
          top: box.top + scrollY, left: box.left + scrollX,
          outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
          inWidget: e.getRootNode() !== document,
          invalid: e.getAttribute("aria-invalid"),
          describedBy: (e.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
            .map(id => e.getRootNode().getElementById(id)?.textContent.trim())};
}"""
"""What has the keyboard focus (inside the widget's shadow root too), and how it looks."""


async def focused(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = await page.evaluate(FOCUSED)
    return found


async def tab_to(page: Page, element_id: str, limit: int = 80) -> None:
    """Press Tab until ``element_id`` has the focus, never past the end of the widget."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        now = (await focused(page))["id"]
        if now == element_id:
            return
        assert now != "danach", f"tabbed past the widget without reaching {element_id}"
    raise AssertionError(f"{element_id} not reached by Tab")


async def type_into(page: Page, element_id: str, text: str) -> None:
    await tab_to(page, element_id)
    await page.keyboard.type(text)


async def date_order(context: BrowserContext) -> str:
    """The order this Chromium's date fields take typed digits in ("mdy" or "dmy").

    Debian's chromium ships only the en-US interface without chromium-l10n, whatever the
    page's locale; a citizen's German Chromium shows dd.mm.yyyy.
    """
    probe = await context.new_page()
    await probe.set_content('<input type="date" id="d" autofocus>')
    await probe.focus("#d")
    await probe.keyboard.type("01022000")
    value = await probe.eval_on_selector("#d", "e => e.value")
    await probe.close()
    return "mdy" if value == "2000-01-02" else "dmy"


async def type_date(page: Page, order: str, day: date) -> None:
    parts = {"d": f"{day:%d}", "m": f"{day:%m}", "y": f"{day:%Y}"}
    await page.keyboard.type("".join(parts[p] for p in order))


def file_choosers(page: Page) -> asyncio.Queue[FileChooser]:
    """The file choosers the page opens, from now on.

    Registered when the page opens, not when a file is chosen: Playwright starts catching
    choosers once someone listens, and a key pressed right after may come first.
    """
    opened: asyncio.Queue[FileChooser] = asyncio.Queue()
    page.on("filechooser", opened.put_nowait)
    return opened


async def choose_file(
    page: Page, opened: asyncio.Queue[FileChooser], element_id: str, name: str, content: bytes
) -> None:
    """Open the file chooser of a file control by keyboard (Space) and pick a file."""
    await tab_to(page, element_id)
    await page.keyboard.press("Space")
    chooser = await asyncio.wait_for(opened.get(), timeout=10)
    await chooser.set_files({"name": name, "mimeType": "application/pdf", "buffer": content})


def years_ago(years: int) -> date:
    day = today()
    return day.replace(year=day.year - years)


def inside(page: Page, selector: str) -> Locator:
    """Elements inside the widget's shadow root."""
    return page.locator(WIDGET).locator(selector)


async def widget_text(page: Page, selector: str) -> str:
    return (await inside(page, selector).text_content() or "").strip()


async def confirmed(page: Page) -> None:
    """Wait for the confirmation."""
    await page.locator(WIDGET).get_by_role("heading", name="Ihr Antrag ist eingegangen").wait_for()


async def no_serious_violations(page: Page, state: str) -> None:
    found = await serious_violations(page)
    assert found == [], f"{state}: {json.dumps(found, indent=1, ensure_ascii=False)}"


async def test_a_trade_is_registered_by_keyboard_on_the_towns_page(
    shared_suite: Suite, site: StaticSite, context: BrowserContext
) -> None:
    intake = shared_suite.url("intake")
    url = town_page(site, intake, WURZEN, "gewerbeanmeldung", properties=TOWN_COLOURS)
    order = await date_order(context)
    page = await context.new_page()
    choosers = file_choosers(page)
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(url)
    await inside(page, "form").wait_for()
    title = page.locator(WIDGET).get_by_role("heading", name="Gewerbeanmeldung")
    assert await title.count() == 1
    await no_serious_violations(page, "form")

    # The town's colour and font reach the widget through its custom properties.
    button = inside(page, "#absenden")
    assert await button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(122, 31, 43)"
    assert "Georgia" in await button.evaluate("b => getComputedStyle(b).fontFamily")

    # Keyboard only, in the order one reads it: every stop visibly focused, and Tab leaves
    # the widget again to the page's next link (no trap); Shift+Tab comes back.
    stops = []
    await tab_to(page, "vorher")
    while (now := await focused(page))["id"] != "danach":
        if now["inWidget"]:
            stops.append(now)
            assert now["outline"] != "none", now
            assert now["outlineWidth"] >= 2, now
        await page.keyboard.press("Tab")
    assert len({stop["id"] for stop in stops}) >= 25
    for before, after in itertools.pairwise(stops):
        same_row = abs(after["top"] - before["top"]) <= 2
        assert after["top"] > before["top"] or (same_row and after["left"] >= before["left"]), (
            before,
            after,
        )
    assert stops[-1]["id"] == "absenden"
    await page.keyboard.press("Shift+Tab")
    assert (await focused(page))["id"] == "absenden"

    # Filled in, but the activity forgotten and the birth date of a six-year-old.
    while (await focused(page))["inWidget"]:
        await page.keyboard.press("Shift+Tab")
    await type_into(page, "f-applicant-family_name", "Quirinus-Zwetschgenbaum")
    await type_into(page, "f-applicant-given_names", "Hedwig")
    await tab_to(page, "f-applicant-birth_date")
    await type_date(page, order, years_ago(6))
    await type_into(page, "f-applicant-nationality", "DE")
    await type_into(page, "f-applicant-email", "hedwig.quirinus@example.org")
    await type_into(page, "f-applicant-address-street", "Jacobsplatz 5")
    await type_into(page, "f-applicant-address-postcode", "04808")
    await type_into(page, "f-applicant-address-city", "Wurzen")
    await type_into(page, "f-business-trade_name", "Quirinus Webdesign")
    await tab_to(page, "f-business-legal_form--0")
    await page.keyboard.press("Space")  # Einzelunternehmen
    await type_into(page, "f-business-address-street", "Domplatz 3")
    await type_into(page, "f-business-address-postcode", "04808")
    await type_into(page, "f-business-address-city", "Wurzen")
    await tab_to(page, "f-business-start_date")
    await type_date(page, order, today() + timedelta(days=7))
    await tab_to(page, "f-declaration_truthful")
    await page.keyboard.press("Space")
    await tab_to(page, "absenden")
    await page.keyboard.press("Enter")

    # The browser finds the missing activity itself, with the server's own message.
    summary = inside(page, ".zusammenfassung")
    await summary.wait_for()
    assert (await focused(page))["text"].startswith("Bitte prüfen Sie Ihre Angaben.")
    missing = "Angaben zum Betrieb – Angemeldete Tätigkeit: Diese Angabe fehlt."
    assert await summary.locator("a").all_inner_texts() == [missing]
    async with httpx.AsyncClient(base_url=intake, timeout=10) as client:
        body = gewerbeanmeldung()
        del body["form"]["business"]["activity"]
        check = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/form/check"
        server = (await client.post(check, json=body)).json()["errors"]
    assert {"field": "form.business.activity", "message": "Diese Angabe fehlt."} in [
        {"field": e["field"], "message": e["message"]} for e in server
    ]
    await no_serious_violations(page, "errors found in the browser")

    # The summary's link takes the keyboard to the field, which says what is wrong.
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    field = await focused(page)
    assert (field["id"], field["invalid"]) == ("f-business-activity", "true")
    assert "Fehler: Diese Angabe fehlt." in field["describedBy"]
    await page.keyboard.type("Gestaltung und Programmierung von Webseiten")

    # The server's checks come next: an applicant must be of age.
    await tab_to(page, "absenden")
    await page.keyboard.press("Enter")
    await summary.get_by_text("volljährig").wait_for()
    link = (await summary.locator("a").all_inner_texts())[0]
    assert link.startswith("Angaben zur Person – Geburtsdatum: Ein Gewerbe kann online nur")
    at_field = await widget_text(page, "#f-applicant-birth_date-fehler")
    assert at_field == "Fehler: " + link.split(": ", 1)[1]
    await no_serious_violations(page, "errors found by the server")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    assert (await focused(page))["id"] == "f-applicant-birth_date"
    await type_date(page, order, date(1988, 4, 12))

    # A PDF goes with it, uploaded with progress and announced politely.
    await choose_file(page, choosers, "f-anlagen-datei", "gewerbe-nachweis.pdf", PDF)
    await page.locator(WIDGET).get_by_text("gewerbe-nachweis.pdf (1 KB) ist hochgeladen").wait_for()
    await tab_to(page, "absenden")
    await page.keyboard.press("Enter")

    # The confirmation: case number, the tracking link, focus on its heading.
    await confirmed(page)
    assert (await focused(page))["id"] == "ok-titel"
    case_number = await widget_text(page, "#vorgangsnummer")
    assert re.fullmatch(r"WUR-\d{4}-\d{6}", case_number)
    tracking = page.locator(WIDGET).get_by_role("link", name=re.compile("Stand Ihres Antrags"))
    assert (await tracking.get_attribute("href") or "").startswith(f"{intake}/antraege/")
    await no_serious_violations(page, "confirmation")

    # One key for the file and the application, then forgotten (a new application gets a
    # new one); the file is named in the application.
    upload = next(r for r in requests if r.url.endswith("/attachments"))
    submission = next(r for r in requests if r.url.endswith("/applications"))
    key = submission.headers["idempotency-key"]
    assert upload.headers["idempotency-key"] == key
    uploaded = json.loads(await (await upload.response()).text())  # type: ignore[union-attr]
    sent = submission.post_data_json
    assert sent is not None
    assert sent["attachments"] == [uploaded["attachment_id"]]
    assert await page.evaluate("Object.keys(sessionStorage)") == []

    # Later the status timeline, as the services get on with it.
    current = inside(page, ".stand")
    await tab_to(page, "aktualisieren")
    for _ in range(60):
        if "Zur E-Akte genommen" in await current.inner_text():
            break
        await page.keyboard.press("Enter")
        await asyncio.sleep(0.5)
    steps = await inside(page, ".verlauf li span").all_inner_texts()
    assert steps[0] == "Antrag eingegangen"
    assert any(step.startswith("Zur E-Akte genommen") for step in steps), steps
    assert errors == []


async def test_a_parking_permit_survives_a_lost_answer_under_a_hostile_stylesheet(
    shared_suite: Suite, site: StaticSite, context: BrowserContext
) -> None:
    intake = shared_suite.url("intake")
    url = town_page(site, intake, WURZEN, "bewohnerparkausweis", css=HOSTILE_CSS, api=False)
    page = await context.new_page()
    choosers = file_choosers(page)
    await page.add_init_script("window.vorher = Object.keys(window)")
    await page.goto(url)
    await inside(page, "form").wait_for()

    # The page's CSS does not reach into the widget, and the widget adds nothing to the page.
    label = inside(page, "label[for=f-parking_zone]")
    style = await label.evaluate(
        "l => { const s = getComputedStyle(l); return [s.display, s.textTransform,"
        " s.letterSpacing, s.color, s.fontFamily]; }"
    )
    assert style[:4] == ["block", "none", "normal", "rgb(27, 27, 27)"], style
    assert "Comic" not in style[4]
    added = "Object.keys(window).filter(k => !vorher.includes(k) && !['vorher', 'axe'].includes(k))"
    assert await page.evaluate(added) == []
    assert await page.evaluate("document.adoptedStyleSheets.length") == 0

    # The proof of permission is asked for only for a company car.
    proof = "f-vehicle-permission_document"
    assert not await inside(page, f"#{proof}").is_visible()
    await type_into(page, "f-applicant-family_name", "Quirinus-Zwetschgenbaum")
    await type_into(page, "f-applicant-given_names", "Hedwig")
    await type_into(page, "f-applicant-address-street", "Jacobsplatz 5")
    await type_into(page, "f-applicant-address-postcode", "04808")
    await type_into(page, "f-applicant-address-city", "Wurzen")
    await type_into(page, "f-applicant-email", "hedwig.quirinus@example.org")
    await type_into(page, "f-parking_zone", "Altstadt")
    await type_into(page, "f-vehicle-plate", "L-HQ 1988")
    await tab_to(page, "f-vehicle-use--0")
    await page.keyboard.press("ArrowDown")  # Firmenwagen
    assert (await focused(page))["id"] == "f-vehicle-use--1"
    assert await inside(page, f"#{proof}").is_visible()
    await choose_file(page, choosers, proof, "arbeitgeber.pdf", PDF)
    await page.locator(WIDGET).get_by_text("arbeitgeber.pdf (1 KB) ist hochgeladen.").wait_for()
    await tab_to(page, "f-main_residence")
    await page.keyboard.press("Space")
    await tab_to(page, "f-declaration_truthful")
    await page.keyboard.press("Space")

    # First intake is unavailable (503); then the answer is lost on its way back, though
    # intake stored the application; sending again with the same key finds that application
    # instead of making a second.
    answers: list[int] = []
    keys: list[str] = []

    async def unavailable_then_lost(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if not answers:
            answers.append(503)
            await route.fulfill(status=503, headers=UNAVAILABLE, json=UNAVAILABLE_BODY)
        elif len(answers) == 1:
            answers.append((await route.fetch()).status)
            await route.abort("connectionreset")
        else:
            response = await route.fetch()
            answers.append(response.status)
            await route.fulfill(response=response)

    await page.route(f"{intake}/api/v1/towns/*/procedures/*/applications", unavailable_then_lost)
    await tab_to(page, "absenden")
    await page.keyboard.press("Enter")
    await page.locator(WIDGET).get_by_text("vorübergehend nicht erreichbar").wait_for()
    said = await widget_text(page, "[role=alert]")
    assert "Bitte versuchen Sie es in 2 Sekunden erneut." in said
    assert "dabei entsteht kein zweiter Antrag" in said
    assert (await focused(page))["id"] == "absenden"
    await page.keyboard.press("Enter")
    await page.locator(WIDGET).get_by_text("Die Verbindung ist unterbrochen.").wait_for()
    await page.keyboard.press("Enter")
    await confirmed(page)
    assert answers == [503, 201, 200]
    assert len(set(keys)) == 1
    assert re.fullmatch(r"WUR-\d{4}-\d{6}", await widget_text(page, "#vorgangsnummer"))
    await inside(page, ".verlauf li").first.wait_for(timeout=30_000)
    first_step = await inside(page, ".verlauf li span").first.inner_text()
    assert first_step == "Antrag eingegangen"


async def test_a_page_the_town_did_not_register_is_refused_in_german(
    start_alone: StartAlone, site: StaticSite, context: BrowserContext
) -> None:
    intake = (await start_alone("intake")).url("intake")
    url = town_page(site, intake, WURZEN, "gewerbeanmeldung")
    page = await context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    await page.goto(url)
    alert = page.locator(WIDGET).get_by_role("alert")
    await alert.wait_for()
    assert "Dieses Antragsformular ist auf dieser Internetseite nicht freigegeben." in (
        await alert.inner_text()
    )
    assert await inside(page, "form").count() == 0
    await no_serious_violations(page, "refused")

    # The API refused the page's origin with a 403 the widget may read (CORS names the
    # page in the refusal only), so nothing failed in the browser.
    form = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/form"
    assert failed == []
    async with httpx.AsyncClient(base_url=intake, timeout=10) as client:
        refused = await client.get(form, headers={"Origin": site.origin})
        assert refused.status_code == 403
        assert refused.headers["access-control-allow-origin"] == site.origin
        assert "nicht freigegeben" in refused.json()["detail"]

        # The script itself: the short-lived alias, the immutable hashed file, the manifest.
        alias = await client.get("/widget/v1/rathaus-antrag.js")
        manifest = (await client.get("/widget/v1/manifest.json")).json()
        pinned = await client.get(manifest["script"])
        again = await client.get(
            "/widget/v1/rathaus-antrag.js", headers={"If-None-Match": alias.headers["etag"]}
        )
        other = await client.get("/widget/v1/rathaus-antrag.000000000000.js")
    assert alias.status_code == pinned.status_code == 200
    assert alias.content == pinned.content
    assert alias.headers["content-type"] == "text/javascript; charset=utf-8"
    assert alias.headers["content-encoding"] == "gzip"
    assert alias.headers["cache-control"] == "public, max-age=300"
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert alias.headers["content-security-policy"].startswith("default-src 'none'")
    assert again.status_code == 304
    assert other.status_code == 404
    assert manifest["bytes"] == len(alias.content)


UNAVAILABLE = {"Retry-After": "2", "Access-Control-Expose-Headers": "Retry-After"}
UNAVAILABLE_BODY = {"title": "Dienst vorübergehend nicht erreichbar.", "errors": []}

FILL = """(host, form) => {
  const root = host.shadowRoot, missing = [];
  const fire = e => ["input", "change"]
    .forEach(t => e.dispatchEvent(new Event(t, {bubbles: true})));
  const put = (path, value) => {
    const id = "f-" + path.join("-");
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      Object.entries(value).forEach(([k, v]) => put([...path, k], v));
      return;
    }
    const options = [...root.querySelectorAll(`input[name="${id}"]`)];
    if (options.length) {
      const wanted = Array.isArray(value) ? value : [value];
      options.forEach(o => { o.checked = wanted.includes(JSON.parse(o.dataset.value)); fire(o); });
      return;
    }
    const control = root.getElementById(id);
    if (!control) { if (value !== null && value !== false) missing.push(id); return; }
    if (control.type === "checkbox") control.checked = value === true;
    else control.value = value === null ? "" : String(value);
    fire(control);
  };
  Object.entries(form).forEach(([k, v]) => put([k], v));
  return missing;
}"""
"""Sets the widget's controls to an example form's values (as a citizen's typing would)."""


async def test_every_procedure_is_rendered_and_submitted_through_the_widget(
    shared_suite: Suite, site: StaticSite, context: BrowserContext
) -> None:
    intake = shared_suite.url("intake")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for procedure in PROCEDURES:
        url = town_page(site, intake, WURZEN, procedure, path=f"/{procedure}")
        await page.goto(url)
        await inside(page, "form").wait_for()
        await no_serious_violations(page, procedure)
        body = example(procedure)
        assert await page.locator(WIDGET).evaluate(FILL, body["form"]) == []
        await tab_to(page, "absenden")
        await page.keyboard.press("Enter")
        await confirmed(page)
    assert errors == []

    # A procedure the town does not offer: said in German, no form.
    await page.goto(town_page(site, intake, ELLEFELD, "bewohnerparkausweis", path="/ellefeld"))
    alert = page.locator(WIDGET).get_by_role("alert")
    await alert.wait_for()
    assert await alert.inner_text() == (
        "Dieser Antrag kann hier zurzeit nicht online gestellt werden. Diese Gemeinde bietet"
        " das Verfahren „bewohnerparkausweis“ nicht online an."
    )


async def test_a_clerks_question_is_answered_in_the_widget_with_a_file(
    shared_suite: Suite, site: StaticSite, context: BrowserContext, desk: CaseDesk
) -> None:
    intake = shared_suite.url("intake")
    page = await context.new_page()
    choosers = file_choosers(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(town_page(site, intake, WURZEN, "hundesteuer-anmeldung", path="/hund"))
    await inside(page, "form").wait_for()
    assert await page.locator(WIDGET).evaluate(FILL, example("hundesteuer-anmeldung")["form"]) == []
    await tab_to(page, "absenden")
    await page.keyboard.press("Enter")
    await confirmed(page)
    link = page.locator(WIDGET).get_by_role("link", name=re.compile("Stand Ihres Antrags"))
    application_id = UUID((await link.get_attribute("href") or "").split("/antraege/")[1][:36])

    # The clerk asks; the widget shows the question when it looks again.
    await desk.opened(application_id)
    request_id = await desk.ask(application_id, QUESTION)
    await tab_to(page, "aktualisieren")
    question = page.locator(WIDGET).get_by_text(QUESTION)
    for _ in range(60):
        if await question.count():
            break
        await page.keyboard.press("Enter")
        await asyncio.sleep(0.25)
    assert await question.is_visible()
    assert (await widget_text(page, ".stand")).startswith("Aktueller Stand: Rückfrage offen")
    await no_serious_violations(page, "a question in the widget")

    # Sent empty: the server's German message at the field, the keyboard taken there.
    send = f"r-{request_id}-senden"
    for _ in range(10):
        if (await focused(page))["id"] == send:
            break
        await page.keyboard.press("Shift+Tab")
    assert (await focused(page))["id"] == send
    await page.keyboard.press("Enter")
    await inside(page, f"#r-{request_id}-text-fehler").wait_for()
    field = await focused(page)
    assert (field["id"], field["invalid"]) == (f"r-{request_id}-text", "true")
    assert "Fehler: Bitte geben Sie Ihre Antwort ein." in field["describedBy"]
    await no_serious_violations(page, "an empty answer")

    # The answer, with the policy as a PDF; sent once, acknowledged.
    await page.keyboard.type("Die Police liegt bei.")
    await choose_file(page, choosers, f"r-{request_id}-datei", "police.pdf", PDF)
    await page.locator(WIDGET).get_by_text("police.pdf (1 KB) ist hochgeladen").wait_for()
    await tab_to(page, send)
    await page.keyboard.press("Enter")
    thanks = page.locator(WIDGET).get_by_text("Ihre Antwort ist eingegangen.")
    await thanks.wait_for()
    assert (await focused(page))["text"].startswith("Ihre Antwort ist eingegangen.")
    await no_serious_violations(page, "answered")
    assert errors == []

    ref = AggregateRef(Service.INTAKE, WURZEN, "application", str(application_id))
    [provided] = [
        e.event
        for e in (await desk.runtime.store.load(ref)).events
        if isinstance(e.event, InformationProvided)
    ]
    assert (provided.request_id, provided.answer) == (request_id, "Die Police liegt bei.")
    assert [a.filename for a in provided.attachments or []] == ["police.pdf"]
