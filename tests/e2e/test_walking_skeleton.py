"""One Gewerbeanmeldung through all five services, as separate processes, on real servers.

The tests share one running suite (its mailbox, log files and OTLP receiver): each finds its own
application's mails, log lines and trace."""

from __future__ import annotations

import asyncio
import json
import re
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.mail import SmtpServer, text_of
from tests.support.otlp import OtlpReceiver
from tests.support.suite import Suite

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"
ALL_STEPS = {
    "received",
    "case_opened",
    "decided",
    "closed",
    "fee",
    "filed",
    "message:acknowledgement",
}


async def wait_for_status(
    client: httpx.AsyncClient, url: str, status: str, timeout: float = 30.0
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    body: dict[str, Any] = {}
    while asyncio.get_running_loop().time() < deadline:
        response = await client.get(url)
        if response.status_code == 200:
            body = response.json()
            steps = {line["step"] for line in body["timeline"]}
            # Intake follows each stream with a consumer of its own: the steps arrive in any
            # order, and the timeline is whole once every one of them has.
            if body["status"] == status and steps >= ALL_STEPS:
                return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"status {status!r} not reached: {body}")


async def test_an_application_travels_through_all_five_services(
    shared_suite: Suite, shared_smtp: SmtpServer, shared_otlp: OtlpReceiver
) -> None:
    async with httpx.AsyncClient(base_url=shared_suite.url("intake"), timeout=10) as client:
        response = await client.post(
            APPLY, json=gewerbeanmeldung(), headers={"Idempotency-Key": "e2e-1"}
        )
        assert response.status_code == 201, response.text
        accepted = response.json()
        application_id = accepted["application_id"]
        status = await wait_for_status(client, accepted["status_url"], "filed")
        # The catalogue shows what the town's fee schedule (billing's log) says it costs.
        offered = (await client.get(f"/api/v1/towns/{WURZEN}/procedures")).json()
        gewerbe = next(p for p in offered if p["procedure"] == "gewerbeanmeldung")
        assert gewerbe["fee_hint"] == "Gebühr: 26,00 €"
        assert gewerbe["title"] == "Gewerbeanmeldung"
        assert "Personalausweis oder Reisepass" in gewerbe["have_at_hand"]
        assert len(offered) == 9

    # The acknowledgement e-mail, through real SMTP, on the town's letterhead (the decision
    # letter follows by mail too: tests/e2e/test_case_letters.py) — one, for this application.
    [mail] = await mails_about(shared_smtp, f"Antragskennung: {application_id}", "Eingang")
    assert mail["To"] == "hedwig.quirinus@example.org"
    assert mail["Subject"] == "Eingangsbestätigung: Gewerbeanmeldung – Große Kreisstadt Wurzen"
    text = text_of(mail)
    assert "Guten Tag Hedwig Quirinus-Zwetschgenbaum" in text
    assert f"Vorgangsnummer: {accepted['case_number']}" in text
    assert re.fullmatch(r"WUR-\d{4}-\d{6}", accepted["case_number"])
    html = mail.get_body(("html",))  # the same wording as HTML, on the town's letterhead
    assert html is not None
    assert ">Große Kreisstadt Wurzen</h1>" in str(html.get_content())
    assert "Guten Tag Hedwig Quirinus-Zwetschgenbaum," in str(html.get_content())
    assert f"Antragskennung: {application_id}" in text
    assert accepted["status_page_url"] in text  # the e-mail links to the page for people
    assert "Friedrich-Ebert-Straße 2" in text

    # The fee from Wurzen's fee schedule.
    async with httpx.AsyncClient(base_url=shared_suite.url("billing")) as billing:
        fee = (await billing.get(f"/api/v1/fees/{application_id}")).json()
    assert fee["amount"] == "26.00"
    assert re.fullmatch(rf"{WURZEN}-\d{{4}}-\d{{6}}", fee["cash_reference"])

    # The archive record: the full history, sealed and verifiable against the log.
    async with httpx.AsyncClient(base_url=shared_suite.url("archive")) as archive:
        record = (await archive.get(f"/api/v1/files/{application_id}")).json()
    assert record["valid"] is True
    assert record["record_matches_log"]
    assert record["chain_intact"]
    assert re.fullmatch(r"32\.10\.01/\d{4}/\d{5}", record["file_reference"])
    # submission, case opened+decided+closed (one commit), fee assessed: three commits
    assert record["parts"] >= 3

    # The status timeline the applicant sees.
    steps = [line["step"] for line in status["timeline"]]
    assert set(steps) >= ALL_STEPS, steps
    assert not [step for step in steps if step.startswith("message_failed")], steps
    assert steps[0] == "received"
    labels = {line["step"]: line["label"] for line in status["timeline"]}
    assert labels["decided"] == "Entschieden: Ihrem Antrag wurde stattgegeben"
    assert labels["fee"].startswith("Gebühr festgesetzt: 26,00 €, fällig am ")
    assert labels["filed"] == f"Zur E-Akte genommen (Aktenzeichen {record['file_reference']})"
    assert status["town_name"] == "Wurzen"


async def test_one_trace_spans_all_five_services(
    shared_suite: Suite, shared_smtp: SmtpServer, shared_otlp: OtlpReceiver
) -> None:
    async with httpx.AsyncClient(base_url=shared_suite.url("intake"), timeout=10) as client:
        response = await client.post(APPLY, json=gewerbeanmeldung())
        assert response.status_code == 201, response.text
        application_id = response.json()["application_id"]
        await wait_for_status(client, response.json()["status_url"], "filed")
    await mails_about(shared_smtp, f"Antragskennung: {application_id}", "Eingang")
    # This POST's trace: the one intake logged the submission in (the receiver holds the
    # module's other traces too).
    [submitted] = submission_logged(shared_suite, application_id)

    deadline = asyncio.get_running_loop().time() + 20
    while True:
        post_spans = [
            s
            for s in shared_otlp.spans
            if s.service == "rathaus-intake"
            and "POST" in s.name
            and s.trace_id == submitted["trace_id"]
        ]
        trace_id = post_spans[0].trace_id if post_spans else None
        services = {s.service for s in shared_otlp.spans if s.trace_id == trace_id}
        names = {s.name for s in shared_otlp.spans if s.trace_id == trace_id}
        # Each service exports its spans in batches of its own: wait for the delivery's too.
        whole = len(services) == 5 and "send acknowledgement" in names
        if whole or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.2)
    assert post_spans, "no span of the POST in the submission's trace"
    assert "send acknowledgement" in names  # the SMTP delivery itself is in the trace
    assert services == {
        "rathaus-intake",
        "rathaus-casework",
        "rathaus-billing",
        "rathaus-archive",
        "rathaus-notify",
    }


async def test_the_same_application_posted_twice_is_one_case(
    shared_suite: Suite, shared_smtp: SmtpServer
) -> None:
    # An applicant of its own: the mailbox and casework's cases hold the module's others too.
    email = "doppelklick@example.org"
    body = gewerbeanmeldung(
        form__applicant__family_name="Doppelklick-Zweifach", form__applicant__email=email
    )
    async with httpx.AsyncClient(base_url=shared_suite.url("intake"), timeout=10) as client:
        first, second = await asyncio.gather(
            client.post(APPLY, json=body, headers={"Idempotency-Key": "double-click"}),
            client.post(APPLY, json=body, headers={"Idempotency-Key": "double-click"}),
        )
        assert {first.status_code, second.status_code} <= {200, 201}
        assert first.json()["application_id"] == second.json()["application_id"]
        await wait_for_status(client, first.json()["status_url"], "filed")
    # the acknowledgement, the decision letter, the fee notice
    await mails_to(shared_smtp, email, 3)
    await asyncio.sleep(1.0)
    assert len(await mails_to(shared_smtp, email, 3)) == 3
    conn = await asyncpg.connect(shared_suite.database_urls["casework"])
    try:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM rm_desk_cases.cases WHERE applicant_name LIKE $1",
                "%Doppelklick-Zweifach%",
            )
            == 1
        )
    finally:
        await conn.close()


def submission_logged(suite: Suite, application_id: str) -> list[dict[str, Any]]:
    """intake's log lines of one application's submission."""
    return [
        line
        for line in log_lines(suite, "intake", "application submitted")
        if line["application_id"] == application_id
    ]


async def mails_about(smtp: SmtpServer, text: str, subject: str) -> list[EmailMessage]:
    """The mails whose subject holds ``subject`` and whose text holds ``text`` (waits for one)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        found = [
            m
            for m in list(smtp.mailbox.messages)
            if subject in str(m["Subject"]) and text in text_of(m)
        ]
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


async def mails_to(smtp: SmtpServer, recipient: str, count: int) -> list[EmailMessage]:
    """The mails to ``recipient``, once there are ``count`` (or after 30 s)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        found = [m for m in list(smtp.mailbox.messages) if m["To"] == recipient]
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


def log_lines(suite: Suite, service: str, message: str) -> list[dict[str, Any]]:
    """The JSON log lines of a service with the given message."""
    lines = []
    for line in suite.processes[service].log_path.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("message") == message:
                lines.append(entry)
    return lines


async def test_logs_carry_service_tenant_correlation_and_trace(
    shared_suite: Suite, shared_smtp: SmtpServer
) -> None:
    email = "protokolliert@example.org"  # the mailbox holds the module's other mails too
    async with httpx.AsyncClient(base_url=shared_suite.url("intake"), timeout=10) as client:
        response = await client.post(APPLY, json=gewerbeanmeldung(form__applicant__email=email))
        application_id = response.json()["application_id"]
        await wait_for_status(client, response.json()["status_url"], "filed")
    # The acknowledgement, the decision letter and the fee notice — the last two rendered in
    # the worker processes, in either order.
    assert len(await mails_to(shared_smtp, email, 3)) == 3
    [submitted] = submission_logged(shared_suite, application_id)
    # notify's lines of this case's messages (the log holds the other tests' too).
    conn = await asyncpg.connect(shared_suite.database_urls["notify"])
    try:
        ours = {
            str(row["message_id"])
            for row in await conn.fetch(
                "SELECT message_id FROM rm_outbox.outbox WHERE case_id = $1",
                UUID(application_id),
            )
        }
    finally:
        await conn.close()
    deadline = asyncio.get_running_loop().time() + 10
    while True:  # notify logs a delivery just after the mail reached the server
        delivered = [
            line
            for line in log_lines(shared_suite, "notify", "message delivered")
            if line["message_id"] in ours
        ]
        if len(delivered) >= 2 or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.1)
    assert len(delivered) >= 2, (ours, delivered)
    assert submitted["service"] == "intake"
    assert {line["service"] for line in delivered} == {"notify"}
    assert {line["tenant"] for line in delivered} == {submitted["tenant"]} == {WURZEN}
    assert {line["correlation_id"] for line in delivered} == {submitted["correlation_id"]}
    assert re.fullmatch(r"[0-9a-f]{32}", submitted["trace_id"])
    assert {line["trace_id"] for line in delivered} == {submitted["trace_id"]}
    assert submitted["level"] == "info"


async def test_no_token_and_no_personal_datum_reaches_the_collector(
    shared_suite: Suite, shared_smtp: SmtpServer, shared_otlp: OtlpReceiver
) -> None:
    body = gewerbeanmeldung(
        form__applicant__family_name="Zwetschgenbaum-Quast",
        form__applicant__given_names="Quirina",
        form__applicant__email="quirina.quast@beispiel.de",
    )
    async with httpx.AsyncClient(base_url=shared_suite.url("intake"), timeout=10) as client:
        accepted = (await client.post(APPLY, json=body)).json()
        await wait_for_status(client, accepted["status_url"], "filed")
        page = await client.get(accepted["status_page_url"])
        assert page.status_code == 200
        assert (await client.get(accepted["status_url"] + "x")).status_code == 404
    token = accepted["status_url"].split("token=")[1]
    await mails_about(shared_smtp, f"Antragskennung: {accepted['application_id']}", "Eingang")
    deadline = asyncio.get_running_loop().time() + 20
    while not any(b"/antraege/" in raw for raw in shared_otlp.raw):  # the page's span arrived
        assert asyncio.get_running_loop().time() < deadline, "the page's span never arrived"
        await asyncio.sleep(0.2)
    exported = b"".join(shared_otlp.raw)
    assert token.encode() not in exported
    assert b"token=" not in exported
    for datum in (b"Zwetschgenbaum", b"quirina.quast", b"Quirina"):
        assert datum not in exported
