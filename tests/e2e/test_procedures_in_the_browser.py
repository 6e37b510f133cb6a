"""Every procedure from the application to the letter in the mailbox, the clerks working in
real Chromium — one suite for the module, its mails in one real SMTP server.

Each of the nine procedures reaches its letter: seven in a table, the traffic order and the
defect report in tests of their own.

- Seven procedures in a table: Wurzen decides the Gewerbeanmeldung, -abmeldung and a resident
  parking permit for the holder's own car without a clerk (the desk shows "automatisch"); a
  clerk decides the rest on the case page — the Ummeldung rejected with a reason, the dog tax
  with its rate class, the special use with area, days and a condition. Each letter arrives
  as a PDF naming its case number and what was decided.
- A parking permit for a company car (the employer's letter photographed): the rule fails,
  the clerk cannot approve until it is overruled with a reason the file keeps.
- A pothole reported in Wurzen's widget at a point in Bennewitz: Bennewitz's queue has it,
  Wurzen's clerks do not; Bennewitz's clerk reports a status (mail and widget say so) and
  closes it with a letter in Bennewitz's name.
- A request for information asked on the case page, answered in the widget with a file, the
  answer and the file on the case page.
- A traffic order with a full closure: four bodies heard from the case page; the police answer
  through the link of their invitation mail, two answers are recorded by the clerk, the fire
  brigade's deadline passes on the timers' clock; then the order with the police's conditions
  and a fee within the GebOSt range, both in the letter.

axe-core looks at each new kind of page: the hearing's answer page, the widget's report form,
question and answer, the queue of the town a defect was routed to, the case page's states.
The traffic order runs last: it moves the timers' clock, and puts it back.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import struct
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright

from contracts.procedures import procedure_title
from runtime.auth import Identity
from tests.e2e.test_case_letters import pdf_text
from tests.e2e.test_desk_pages import german_context, no_serious_violations
from tests.e2e.test_widget import FILL, WIDGET, confirmed, inside, widget_text
from tests.support.applications import PDF, example, upload
from tests.support.browser import CHROMIUM, StaticSite, town_page
from tests.support.desk import (
    BENNEWITZ,
    WURZEN,
    case_when,
    clerk_token,
    desk_client,
)
from tests.support.desk_pages import clerk_identity, sign_in_with_cookie
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.suite import SERVICES, Suite

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (python3 rathaus.py test installs Debian's chromium)",
)

WENZEL = clerk_identity(WURZEN, "Wenzel Wurzner")
BERTA = clerk_identity(BENNEWITZ, "Berta Bennewitzer")
POINT_IN_BENNEWITZ = {"lat": 51.3610, "lon": 12.7125}
WAIT = 60.0
"""Seconds to wait for what the services do on their own (a loaded machine is slow)."""


@pytest.fixture(scope="module")
def site() -> Iterator[StaticSite]:
    """Wurzen's website: a plain static server of another origin than intake."""
    running = StaticSite().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    """One mailbox for the module (each test finds its mails by case)."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def suite(
    nats_url: str,
    pg_admin_url: str,
    smtp: SmtpServer,
    issuer: DevIssuer,
    site: StaticSite,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Suite]:
    """The five services for the whole module; intake answers the town's website."""
    admin = await asyncpg.connect(pg_admin_url)
    names = {service: f"test_{secrets.token_hex(5)}" for service in SERVICES}
    for name in names.values():
        await admin.execute(f'CREATE DATABASE "{name}"')
    base = pg_admin_url.rsplit("/", 1)[0]
    running = Suite(
        nats_url=nats_url,
        database_urls={service: f"{base}/{name}" for service, name in names.items()},
        smtp_port=smtp.port,
        workdir=tmp_path_factory.mktemp("procedures-in-the-browser"),
        namespace=f"t{secrets.token_hex(4)}",
        issuer_url=issuer.url,
        extra_env={"INTAKE_CORS_ORIGINS": site.origin},
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


async def desk_context(browser: Browser, suite: Suite, who: Identity = WENZEL) -> BrowserContext:
    """A German browser context with axe-core, signed in at the desk as ``who``."""
    context = await german_context(browser)
    await sign_in_with_cookie(context, suite, who)
    return context


# --- The applicant's side ----------------------------------------------------------------


async def apply(
    suite: Suite, procedure: str, body: dict[str, Any], key: str | None = None
) -> dict[str, Any]:
    """Submit at Wurzen's intake; its answer (id, case number, tracking links)."""
    headers = {"Idempotency-Key": key} if key else {}
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=15) as client:
        answer = await client.post(
            f"/api/v1/towns/{WURZEN}/procedures/{procedure}/applications",
            json=body,
            headers=headers,
        )
    assert answer.status_code == 201, answer.text
    accepted: dict[str, Any] = answer.json()
    return accepted


async def submit_in_widget(
    page: Page, site: StaticSite, suite: Suite, procedure: str, form: dict[str, Any]
) -> tuple[UUID, str]:
    """Fill Wurzen's widget with ``form`` and send it; the case id and number it confirms."""
    await page.goto(town_page(site, suite.url("intake"), WURZEN, procedure, path=f"/{procedure}"))
    await inside(page, "form").wait_for()
    await no_serious_violations(page)
    assert await page.locator(WIDGET).evaluate(FILL, form) == []
    await inside(page, "#absenden").click()
    await confirmed(page)
    await no_serious_violations(page)
    link = page.locator(WIDGET).get_by_role("link", name=re.compile("Stand Ihres Antrags"))
    case_id = UUID((await link.get_attribute("href") or "").split("/antraege/")[1][:36])
    return case_id, await widget_text(page, "#vorgangsnummer")


def widget_says(page: Page, text: str) -> Locator:
    """Text inside the widget."""
    return page.locator(WIDGET).get_by_text(text)


async def widget_shows(page: Page, what: Locator, timeout: float = WAIT) -> None:
    """Press the widget's "Stand aktualisieren" until ``what`` is there."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await what.count():
        assert asyncio.get_running_loop().time() < deadline, await widget_text(page, ".stand")
        await inside(page, "#aktualisieren").click()
        await asyncio.sleep(0.5)


# --- The mailbox ---------------------------------------------------------------------------


async def mail_where(
    smtp: SmtpServer, holds: Callable[[EmailMessage], bool], what: str, timeout: float = WAIT
) -> EmailMessage:
    """The first mail that ``holds``, once it has arrived."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for mail in list(smtp.mailbox.messages):
            if holds(mail):
                return mail
        await asyncio.sleep(0.1)
    subjects = [(m["To"], m["Subject"]) for m in smtp.mailbox.messages]
    raise AssertionError(f"no mail {what}: {subjects}")


def body_of(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def letter_of(smtp: SmtpServer, case_id: UUID) -> tuple[EmailMessage, str]:
    """The mail carrying the case's letter, and the letter's text (one PDF attached)."""
    filename = f"bescheid-{case_id}.pdf"
    mail = await mail_where(
        smtp,
        lambda m: any(a.get_filename() == filename for a in m.iter_attachments()),
        f"with {filename}",
    )
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    content = attachment.get_payload(decode=True)
    assert isinstance(content, bytes)
    return mail, pdf_text(content)


async def mail_about(smtp: SmtpServer, to: str, subject: str, number: str) -> EmailMessage:
    """The mail to ``to`` whose subject starts with ``subject`` about case ``number``."""
    return await mail_where(
        smtp,
        lambda m: m["To"] == to and str(m["Subject"]).startswith(subject) and number in body_of(m),
        f"to {to} „{subject}…“ about {number}",
    )


# --- The clerk's side ----------------------------------------------------------------------


async def queued(suite: Suite, issuer: DevIssuer, case_id: UUID, town: str = WURZEN) -> None:
    """Wait until the automated check has put the case in the town's queue."""
    async with desk_client(suite, clerk_token(issuer, town, "Warten")) as api:
        await case_when(api, case_id, "queued", timeout=WAIT)


async def submit(page: Page, button: Locator) -> int:
    """Click a form's button; the status of the page it leads to."""
    async with page.expect_navigation() as navigation:
        await button.click()
    response = await navigation.value
    return response.status if response else 0


def button(scope: Page | Locator, name: str) -> Locator:
    return scope.get_by_role("button", name=name, exact=True)


async def open_case(page: Page, suite: Suite, case_id: UUID) -> None:
    answer = await page.goto(case_page(suite, case_id))
    assert answer is not None
    assert answer.status == 200


async def claim(page: Page, suite: Suite, case_id: UUID) -> None:
    """Open the case and take it."""
    await open_case(page, suite, case_id)
    assert await submit(page, page.locator("#uebernehmen")) == 200
    assert await page.locator(".hinweis").inner_text() == "Sie haben den Vorgang übernommen."


async def open_until(page: Page, url: str, selector: str, text: str, timeout: float = WAIT) -> None:
    """Open ``url`` until ``selector`` shows ``text`` (the read model follows the log).

    Opened anew, never reloaded: the page may be a form's answer, and a reload posts again.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await page.goto(url)
        found = page.locator(selector)
        shown = await found.inner_text() if await found.count() else ""
        if text in shown:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{selector}: {shown!r}"
        await asyncio.sleep(0.3)


def case_page(suite: Suite, case_id: UUID) -> str:
    return f"{queue_page(suite)}/{case_id}"


def queue_page(suite: Suite) -> str:
    return f"{suite.url('casework')}/desk/vorgaenge"


def described(page: Page, term: str) -> Locator:
    """The ``dd`` after the ``dt`` that says ``term`` (the decision's particulars)."""
    return page.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")


@dataclass(frozen=True)
class Decision:
    """What the clerk enters on the case page, and what the letter then says."""

    outcome: str = "approved"
    conditions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    fee: dict[str, str] = field(default_factory=dict)
    """Fee fields by id after ``entscheidung-gebuehr-`` (``klasse`` is a select)."""


async def decide(page: Page, decision: Decision) -> int:
    """Fill in the decision form and send it; the status of the answer."""
    radio = "#entscheidung-ergebnis" if decision.outcome == "approved" else "#entscheidung-ablehnen"
    await page.check(radio)
    await page.fill("#entscheidung-auflagen", "\n".join(decision.conditions))
    await page.fill("#entscheidung-gruende", "\n".join(decision.reasons))
    for name, value in decision.fee.items():
        control = f"#entscheidung-gebuehr-{name}"
        if name == "klasse":
            await page.select_option(control, value)
        else:
            await page.fill(control, value)
    return await submit(page, page.locator("#entscheiden"))


async def decided_on_the_page(page: Page, decision: Decision) -> None:
    """The case page after the decision: outcome, conditions, reasons, closed."""
    outcome = page.locator("#ergebnis")
    wanted = {
        "approved": "Dem Antrag wurde stattgegeben.",
        "rejected": "Der Antrag wurde abgelehnt.",
    }
    assert await outcome.inner_text() == wanted[decision.outcome]
    if decision.conditions:
        items = await page.locator("#auflagen li").all_inner_texts()
        assert items == list(decision.conditions)
    if decision.reasons:
        assert await page.locator("#gruende li").all_inner_texts() == list(decision.reasons)
    assert await page.locator("#status").inner_text() == "Abgeschlossen"
    assert await page.locator("main form[method=post]").count() == 0


# --- 1. Seven procedures to their letters ------------------------------------------------

AUTOMATED = None
"""Decided by Wurzen's automation: no clerk acts."""

DOG = "Die Hundesteuermarke Nr. 127 ist zurückzugeben."
PERMIT_NEEDED = (
    "Für Schulungen in Räumen mit Publikumsverkehr ist vorab eine Prüfung durch das"
    " Bauordnungsamt nötig; der Antrag ist insoweit unvollständig."
)
SCAFFOLD = "Der Gehweg bleibt mit mindestens 1,30 m Breite begehbar."

TABLE: list[tuple[str, Decision | None, tuple[str, ...]]] = [
    ("gewerbeanmeldung", AUTOMATED, ("wird stattgegeben", "automatisch erstellt")),
    ("gewerbeabmeldung", AUTOMATED, ("wird stattgegeben", "Quirinus Webdesign")),
    ("bewohnerparkausweis", AUTOMATED, ("wird stattgegeben", "L-HQ 1988", "Altstadt")),
    (
        "gewerbeummeldung",
        Decision(outcome="rejected", reasons=(PERMIT_NEEDED,)),
        ("wird abgelehnt", PERMIT_NEEDED, "Im Auftrag Wenzel Wurzner"),
    ),
    (
        "hundesteuer-anmeldung",
        Decision(fee={"klasse": "erster_hund", "hunde": "1"}),
        ("wird stattgegeben", "Steuerklasse Erster Hund", "Gehaltene Hunde 1"),
    ),
    (
        "hundesteuer-abmeldung",
        Decision(conditions=(DOG,)),
        ("wird stattgegeben", DOG),
    ),
    (
        "sondernutzungserlaubnis",
        Decision(conditions=(SCAFFOLD,), fee={"flaeche": "18", "tage": "14"}),
        (
            "wird stattgegeben",
            SCAFFOLD,
            "Fläche 18 m²",
            "Dauer 14 Tage",
            "Art der Nutzung Gerüst",
            "Markt 3",
        ),
    ),
]


@pytest.mark.timeout(240)
async def test_seven_procedures_are_decided_and_their_letters_mailed(
    suite: Suite, issuer: DevIssuer, smtp: SmtpServer, browser: Browser
) -> None:
    cases = {
        procedure: await apply(suite, procedure, example(procedure)) for procedure, _, _ in TABLE
    }
    context = await desk_context(browser, suite)
    page = await context.new_page()
    for procedure, decision, _ in TABLE:
        case_id = UUID(cases[procedure]["application_id"])
        if decision is AUTOMATED:
            async with desk_client(suite, clerk_token(issuer, WURZEN, "W")) as api:
                await case_when(api, case_id, "closed", timeout=WAIT)
            await open_case(page, suite, case_id)
            assert await page.locator("#ergebnis").inner_text() == "Dem Antrag wurde stattgegeben."
            when = await described(page, "Entschieden").inner_text()
            assert ", automatisch, im Namen von Wurzen" in when, when
            assert await page.locator("#uebernehmen").count() == 0
            continue
        await queued(suite, issuer, case_id)
        await claim(page, suite, case_id)
        assert await decide(page, decision) == 200, await page.locator("main").inner_text()
        assert page.url.endswith("#entscheidung")
        await decided_on_the_page(page, decision)
    await no_serious_violations(page)
    await context.close()

    for procedure, _, says in TABLE:
        accepted = cases[procedure]
        mail, letter = await letter_of(smtp, UUID(accepted["application_id"]))
        assert mail["Subject"] == (
            f"Bescheid: {procedure_title(procedure)} – Große Kreisstadt Wurzen"
        ), procedure
        assert f"Vorgangsnummer {accepted['case_number']}" in letter, procedure
        for part in says:
            assert part in letter, (procedure, part, letter)


# --- 2. A company car: the rule overruled -------------------------------------------------

OVERRULED = "Bestätigung des Arbeitgebers liegt bei; die Nutzung als Dienstwagen ist belegt."


def png_of_one_pixel() -> bytes:
    """A valid PNG (the employer's letter, photographed — as far as anyone checks)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PHOTO = png_of_one_pixel()


@pytest.mark.timeout(120)
async def test_a_company_cars_permit_is_approved_once_its_rule_is_overruled_with_a_reason(
    suite: Suite, issuer: DevIssuer, smtp: SmtpServer, browser: Browser
) -> None:
    key = f"firmenwagen-{secrets.token_hex(4)}"
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=15) as client:
        stored = await upload(
            client, WURZEN, "bewohnerparkausweis", key, PHOTO, "arbeitgeber.png", "image/png"
        )
    assert stored.status_code == 201, stored.text
    proof = stored.json()["attachment_id"]
    body = example(
        "bewohnerparkausweis",
        form__vehicle__plate="L-RC 2026",
        form__vehicle__use="firmenwagen",
        form__vehicle__permission_document=proof,
    )
    body["attachments"] = [proof]
    accepted = await apply(suite, "bewohnerparkausweis", body, key)
    case_id = UUID(accepted["application_id"])
    await queued(suite, issuer, case_id)

    context = await desk_context(browser, suite)
    page = await context.new_page()
    await claim(page, suite, case_id)
    rule = page.locator("#regel-applicant_must_hold_vehicle")
    assert "Nicht erfüllt" in await rule.inner_text()
    assert "der Nachweis ist zu prüfen" in await rule.inner_text()
    for kept in ("main_residence_must_be_in_zone", "one_permit_per_vehicle"):
        assert "Erfüllt" in await page.locator(f"#regel-{kept}").inner_text()
    shown = page.get_by_role("img", name="Anlage arbeitgeber.png")
    served = await context.request.get(f"{suite.url('casework')}{await shown.get_attribute('src')}")
    assert (served.status, await served.body()) == (200, PHOTO)

    # Approving over the failed rule is refused; overruled with a reason, it is approved.
    approval = Decision()
    assert await decide(page, approval) == 409
    assert (
        "Nicht erfüllt: applicant_must_hold_vehicle"
        in await page.locator(".fehlerliste").inner_text()
    )
    await no_serious_violations(page)
    await page.fill("#ueberstimmen-applicant_must_hold_vehicle", OVERRULED)
    assert (
        await submit(page, page.get_by_role("button", name=re.compile("^Regel überstimmen"))) == 200
    )
    assert "Nicht erfüllt – überstimmt" in await rule.inner_text()
    assert OVERRULED in await rule.inner_text()
    assert await decide(page, approval) == 200
    await decided_on_the_page(page, approval)
    history = await page.locator("table.verlauf").inner_text()
    assert (
        f"Regel applicant_must_hold_vehicle von Wenzel Wurzner überstimmt: {OVERRULED}" in history
    )
    await no_serious_violations(page)
    await context.close()

    _, letter = await letter_of(smtp, case_id)
    for part in (
        f"Vorgangsnummer {accepted['case_number']}",
        "Ihrem Antrag „Bewohnerparkausweis“",
        "Kennzeichen L-RC 2026",
        "Im Auftrag Wenzel Wurzner",
    ):
        assert part in letter, (part, letter)


# --- 3. A defect in Bennewitz, reported on Wurzen's website ---------------------------------

REPORTER = "hedwig.quirinus@example.org"
FORWARDED = "Die Straßenmeisterei verfüllt das Schlagloch in dieser Woche."


@pytest.mark.timeout(180)
async def test_a_defect_reported_in_wurzens_widget_is_handled_by_bennewitz(
    suite: Suite, issuer: DevIssuer, smtp: SmtpServer, site: StaticSite, browser: Browser
) -> None:
    citizen = await german_context(browser)
    widget = await citizen.new_page()
    form = example("maengelmelder", form__point=POINT_IN_BENNEWITZ)["form"]
    case_id, number = await submit_in_widget(widget, site, suite, "maengelmelder", form)
    await queued(suite, issuer, case_id, BENNEWITZ)

    # Wurzen, where it was reported, neither lists it nor opens it.
    wurzen = await desk_context(browser, suite)
    page = await wurzen.new_page()
    await page.goto(queue_page(suite))
    assert await page.locator("h1").inner_text() == "Arbeitskorb Wurzen"
    assert number not in await page.locator("main").inner_text()
    answer = await page.goto(case_page(suite, case_id))
    assert answer is not None
    assert answer.status == 404
    await wurzen.close()

    # Bennewitz's queue has it; its clerk takes it from there.
    bennewitz = await desk_context(browser, suite, BERTA)
    page = await bennewitz.new_page()
    await page.goto(queue_page(suite))
    assert await page.locator("h1").inner_text() == "Arbeitskorb Bennewitz"
    await open_until(page, queue_page(suite), "main", number)
    row = await page.locator(f"#vorgang-{case_id}").inner_text()
    assert "Mängelmelder" in row
    await no_serious_violations(page)
    assert await submit(page, button(page, f"Übernehmen {number}")) == 200
    assert await page.locator("#zustaendig").inner_text() == (
        "Bennewitz (entschieden wird in ihrem Namen)"
    )

    # A status report: on the page, in the reporter's mailbox and in the widget.
    await page.locator("summary", has_text="Sachstand mitteilen").click()
    await page.select_option("#sachstand-stand", "weitergeleitet")
    await page.fill("#sachstand-hinweis", FORWARDED)
    assert await submit(page, button(page, "Sachstand mitteilen")) == 200
    reports = await page.locator(".meldungen").inner_text()
    assert "Weitergeleitet" in reports
    assert FORWARDED in reports
    await no_serious_violations(page)
    report = await mail_about(smtp, REPORTER, "Sachstand: Mängelmelder", number)
    assert report["Subject"] == "Sachstand: Mängelmelder – Gemeinde Bennewitz"
    text = body_of(report)
    assert "Ihre Meldung wurde an die zuständige Stelle weitergeleitet." in text
    assert FORWARDED in text
    step = inside(widget, ".verlauf li").filter(has_text=f"Weitergeleitet – {FORWARDED}")
    await widget_shows(widget, step)
    await no_serious_violations(widget)

    # Closed: the letter is an Abschlussmitteilung in Bennewitz's name.
    closing = Decision(reasons=("Das Schlagloch wurde am Badergraben verfüllt.",))
    assert await decide(page, closing) == 200
    await decided_on_the_page(page, closing)
    await bennewitz.close()
    await citizen.close()
    mail, letter = await letter_of(smtp, case_id)
    assert mail["Subject"] == "Abschlussmitteilung: Mängelmelder – Gemeinde Bennewitz"
    for part in (
        f"Vorgangsnummer {number}",
        "Gemeinde Bennewitz",
        "ist bearbeitet; der Vorgang ist abgeschlossen.",
        "Im Auftrag Berta Bennewitzer",
    ):
        assert part in letter, (part, letter)
    assert "Rechtsbehelfsbelehrung" not in letter


# --- 4. A question on the case page, answered in the widget --------------------------------

QUESTION = "Bitte senden Sie uns den Lageplan des Gerüsts mit den Maßen."
ANSWER = "Der Lageplan liegt bei; das Gerüst steht 1,50 m tief."


@pytest.mark.timeout(180)
async def test_a_clerks_question_is_answered_in_the_widget_and_read_on_the_case_page(
    suite: Suite, issuer: DevIssuer, smtp: SmtpServer, site: StaticSite, browser: Browser
) -> None:
    citizen = await german_context(browser)
    widget = await citizen.new_page()
    form = example("sondernutzungserlaubnis")["form"]
    case_id, number = await submit_in_widget(widget, site, suite, "sondernutzungserlaubnis", form)
    await queued(suite, issuer, case_id)

    clerk = await desk_context(browser, suite)
    page = await clerk.new_page()
    await claim(page, suite, case_id)
    await page.fill("#rueckfrage-frage", QUESTION)
    assert await submit(page, button(page, "Rückfrage stellen")) == 200
    assert await page.locator("#status").inner_text() == "Rückfrage an Antragsteller/in"
    asked = page.locator(".rueckfrage")
    assert "Noch keine Antwort." in await asked.inner_text()
    request_id = (await asked.locator("h3").get_attribute("id") or "").removeprefix("rueckfrage-")
    mail = await mail_about(smtp, form["applicant"]["email"], "Rückfrage zu Ihrem Antrag", number)
    assert QUESTION in body_of(mail)

    # The applicant sees the question in the widget and answers it there, with the plan.
    await widget_shows(widget, widget_says(widget, QUESTION))
    await no_serious_violations(widget)
    await inside(widget, f"#r-{request_id}-text").fill(ANSWER)
    await inside(widget, f"#r-{request_id}-datei").set_input_files(
        {"name": "lageplan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    await widget_says(widget, "lageplan.pdf (1 KB) ist hochgeladen").wait_for()
    await inside(widget, f"#r-{request_id}-senden").click()
    await widget_says(widget, "Ihre Antwort ist eingegangen.").wait_for()
    await no_serious_violations(widget)
    await citizen.close()

    # The clerk reads the answer and opens its file.
    await open_until(page, case_page(suite, case_id), ".rueckfrage", ANSWER)
    # The answer is intake's event; the case goes on once casework has taken it in.
    await open_until(page, case_page(suite, case_id), "#status", "In Bearbeitung")
    assert "(eingegangen " in await page.locator(".rueckfrage").inner_text()
    plan = page.locator(".rueckfrage").get_by_role("link", name="lageplan.pdf")
    served = await clerk.request.get(f"{suite.url('casework')}{await plan.get_attribute('href')}")
    assert (served.status, served.headers["content-type"]) == (200, "application/pdf")
    assert await served.body() == PDF
    await no_serious_violations(page)
    await clerk.close()


# --- 5. A traffic order with a full closure, four bodies heard -----------------------------

BODIES = {
    "polizei": ("Polizeirevier (örtlich zuständig)", "polizei.wurzen@behoerden.example"),
    "strassenbaulasttraeger": (
        "Landesamt für Straßenbau und Verkehr (Straßenbaulastträger)",
        "lasuv.wurzen@behoerden.example",
    ),
    "oepnv": ("Verkehrsunternehmen des ÖPNV", "oepnv.wurzen@behoerden.example"),
    "feuerwehr": ("Freiwillige Feuerwehr", "feuerwehr.wurzen@behoerden.example"),
}
"""Wurzen's bodies (its member file), in the order the case suggests them."""
CONTRACTOR = "bauleitung@muldental-tiefbau.example"
POLICE_CONDITIONS = (
    "Zufahrt für Rettungsdienste jederzeit freihalten.",
    "Absperrung nachts beleuchten.",
)
OWN_CONDITION = "Anlieger sind eine Woche vorher schriftlich zu informieren."


def answer_link(mail: EmailMessage) -> str:
    """The answer link in a hearing's invitation."""
    found = re.search(r"https?://\S+/anhoerung/\S+", body_of(mail))
    assert found, body_of(mail)
    return found.group(0)


@pytest.mark.timeout(240)
async def test_a_full_closure_is_ordered_after_four_hearings_with_conditions_and_a_fee(
    suite: Suite, issuer: DevIssuer, smtp: SmtpServer, browser: Browser
) -> None:
    accepted = await apply(
        suite, "verkehrsrechtliche-anordnung", example("verkehrsrechtliche-anordnung")
    )
    case_id, number = UUID(accepted["application_id"]), accepted["case_number"]
    await queued(suite, issuer, case_id)
    clerk = await desk_context(browser, suite)
    page = await clerk.new_page()
    await claim(page, suite, case_id)
    suggestion = page.locator("#anhoerungen ~ p", has_text="Für dieses Verfahren anzuhören")
    suggested = await suggestion.inner_text()
    assert (
        suggested == f"Für dieses Verfahren anzuhören: {', '.join(n for n, _ in BODIES.values())}."
    )

    # The four hearings, each with the town's deadline; each body gets its invitation.
    for body in BODIES:
        await page.select_option("#anhoerung-stelle", body)
        await page.fill("#anhoerung-gegenstand", "Vollsperrung der Wenceslaigasse, 2 bis 14")
        assert await submit(page, button(page, "Anhörung einleiten")) == 200
    assert await page.locator("#status").inner_text() == "Anhörung läuft"
    for body, (name, _) in BODIES.items():
        row = await page.locator(f"#anhoerung-{body}").inner_text()
        assert name in row
        assert "Steht aus." in row
    await no_serious_violations(page)
    invitations = {
        body: await mail_about(smtp, address, "Anhörung:", number)
        for body, (_, address) in BODIES.items()
    }

    # The police answer through their link: consent with conditions.
    police = await german_context(browser)
    form = await police.new_page()
    answer = await form.goto(answer_link(invitations["polizei"]))
    assert answer is not None
    assert answer.status == 200
    assert await form.locator("h1").inner_text() == "Anhörung: Ihre Stellungnahme"
    assert "Vollsperrung der Wenceslaigasse, 2 bis 14" in await form.locator("dl").inner_text()
    await no_serious_violations(form)
    await form.check("input[value=zustimmung_mit_auflagen]")
    await form.fill("#statement", "Keine Bedenken bei Beschilderung nach Regelplan B II/1.")
    await form.fill("#conditions", "\n".join(POLICE_CONDITIONS))
    assert await submit(form, button(form, "Stellungnahme absenden")) == 200
    assert await form.locator("h1").inner_text() == "Vielen Dank"
    await no_serious_violations(form)

    # Road authority and public transport answered by letter: the clerk records them.
    await open_until(
        page, case_page(suite, case_id), "#anhoerung-polizei", "Zustimmung mit Auflagen"
    )
    for condition in POLICE_CONDITIONS:
        assert condition in await page.locator("#anhoerung-polizei").inner_text()
    for body in ("strassenbaulasttraeger", "oepnv"):
        name = BODIES[body][0]
        recording = page.locator("details", has_text=f"Stellungnahme von {name} erfassen")
        await recording.locator("summary").click()
        await recording.locator("select[name=votum]").select_option("zustimmung")
        assert await submit(page, button(recording, "Stellungnahme speichern")) == 200
        assert "Zustimmung" in await page.locator(f"#anhoerung-{body}").inner_text()

    # The fire brigade stays silent: no decision while its hearing runs.
    order = Decision(conditions=(*POLICE_CONDITIONS, OWN_CONDITION), fee={"betrag": "120,00"})
    assert await decide(page, order) == 409
    refusal = await page.locator(".fehlerliste").inner_text()
    assert "Die Anhörung von Freiwillige Feuerwehr läuft noch bis" in refusal

    # Three weeks on, by the timers' clock: its deadline has passed, and the case's own.
    try:
        suite.clock_file.write_text("+20d")
        await open_until(
            page,
            case_page(suite, case_id),
            "#anhoerung-feuerwehr",
            "Frist abgelaufen, ohne Antwort",
        )
        await open_until(page, case_page(suite, case_id), "#frist", "Frist überschritten")
    finally:
        suite.clock_file.write_text("")
    assert await page.locator("#status").inner_text() == "In Bearbeitung"
    await no_serious_violations(page)
    overdue = await mail_about(smtp, WENZEL.email or "", "Frist ist abgelaufen", number)
    assert "Guten Tag Wenzel Wurzner" in body_of(overdue)

    # The order: the police's conditions offered, one added, a fee within the GebOSt range.
    offered = await page.locator("#entscheidung-auflagen").input_value()
    assert offered.splitlines() == list(POLICE_CONDITIONS)
    assert await decide(page, Decision(fee={"betrag": "900,00"})) == 422
    assert "zwischen 10,20 € und 767,00 €" in await page.locator(".fehlerliste").inner_text()
    assert await decide(page, order) == 200
    await decided_on_the_page(page, order)
    assert (await described(page, "Gebührenangaben").inner_text()).strip() == "Gebühr 120,00 €"
    await no_serious_violations(page)
    await clerk.close()

    # The fire brigade's link now says the procedure is over.
    late = await form.goto(answer_link(invitations["feuerwehr"]))
    assert late is not None
    assert late.status == 200
    assert await form.locator("h1").inner_text() == "Verfahren abgeschlossen"
    await police.close()

    mail, letter = await letter_of(smtp, case_id)
    assert mail["To"] == CONTRACTOR
    title = procedure_title("verkehrsrechtliche-anordnung")
    assert mail["Subject"] == f"Bescheid: {title} – Große Kreisstadt Wurzen"
    for part in (
        f"Vorgangsnummer {number}",
        f"Ihrem Antrag „{title}“",
        "wird stattgegeben.",
        "Angeordnete Verkehrsregelung",
        "Wenceslaigasse",
        "B II/1",
        *POLICE_CONDITIONS,
        OWN_CONDITION,
        "Gebühr 120,00 €",
        "Die Gebühr wird mit gesondertem Gebührenbescheid festgesetzt.",
        "Im Auftrag Wenzel Wurzner",
    ):
        assert part in letter, (part, letter)
