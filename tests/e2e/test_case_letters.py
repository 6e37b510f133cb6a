"""The decision letter and the case's messages, through all five services on real servers.

An automated Gewerbeanmeldung in Wurzen: casework renders the Bescheid (PDF), stores it
sealed, announces it; notify mails it as an attachment; its delivery is the dispatch, from
which casework derives the Bekanntgabe. Everything delivered again after a crash — the
reactions rewound to the start of their streams, the letter's record lost — changes nothing.
The clerk's side (requests, hearings, deadlines, status reports, a withdrawal) is appended
to casework's log as casework records it, and each reaches its recipient with its template.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from pypdf import PdfReader

from contracts.base import DomainEvent
from contracts.calendar import german_date, today
from contracts.events.casework import (
    CaseClaimed,
    CaseClosed,
    CaseReleased,
    Clerk,
    DeadlineNear,
    DecisionDispatched,
    DecisionDocumentIssued,
    HearingRequested,
    InformationRequested,
    StatusReported,
)
from contracts.events.intake import ObjectionLodged
from contracts.naming import Service
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.casework.domain.deadlines import known_on
from tests.conftest import DatabaseFactory
from tests.support.applications import (
    AUGUSTUSBURG,
    WURZEN,
    gewerbeanmeldung,
    maengelmelder,
    verkehrsrechtliche_anordnung,
)
from tests.support.mail import SmtpServer, text_of
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

SACHSE = Clerk(
    id="p.sachse", name="Petra Sachse", town=AUGUSTUSBURG, email="p.sachse@augustusburg.example"
)
DESK = "sachbearbeitung@wurzen.rathauscloud.example"  # Wurzen's member file
APPLICANT = "hedwig.quirinus@example.org"
CONTRACTOR = "bauleitung@muldental-tiefbau.example"
POLICE = "polizei.wurzen@behoerden.example"


@pytest.fixture
async def casework_log(
    nats_url: str, namespace: str, new_database: DatabaseFactory
) -> AsyncIterator[Runtime]:
    """A runtime on casework's stream: reads cases, appends as casework would."""
    runtime = await connected_runtime(Service.CASEWORK, nats_url, namespace, await new_database())
    yield runtime
    await runtime.stop()


def case_ref(case_id: str) -> AggregateRef:
    return AggregateRef(Service.CASEWORK, WURZEN, "case", case_id)


async def apply(suite: Suite, procedure: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
        response = await client.post(
            f"/api/v1/towns/{WURZEN}/procedures/{procedure}/applications", json=body
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


async def case_events(log: Runtime, case_id: str) -> list[DomainEvent]:
    return [e.event for e in (await log.store.load(case_ref(case_id))).events]


async def wait_for_event(log: Runtime, case_id: str, kind: type, timeout: float = 30) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = [e for e in await case_events(log, case_id) if isinstance(e, kind)]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {kind.__name__} on case {case_id}")


def mail_to(smtp: SmtpServer, recipient: str, subject_start: str) -> list[EmailMessage]:
    return [
        m
        for m in smtp.mailbox.messages
        if m["To"] == recipient and str(m["Subject"]).startswith(subject_start)
    ]


async def wait_for_mail(
    smtp: SmtpServer, recipient: str, subject_start: str, timeout: float = 30
) -> EmailMessage:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = mail_to(smtp, recipient, subject_start)
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail to {recipient} „{subject_start}“: {smtp.mailbox.messages}")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def rewind(suite: Suite, service: str, schemas: list[str]) -> dict[str, int]:
    """Stop ``service``, set its reactions' checkpoints back to 0; what they had reached."""
    process = suite.processes[service].process
    process.terminate()
    process.wait(timeout=15)
    conn = await asyncpg.connect(suite.database_urls[service])
    try:
        reached = {}
        for schema in schemas:
            for row in await conn.fetch(f"SELECT stream, last_seq FROM {schema}.rc_checkpoint"):
                reached[f"{schema}.{row['stream']}"] = row["last_seq"]
            await conn.execute(f"UPDATE {schema}.rc_checkpoint SET last_seq = 0")
        return reached
    finally:
        await conn.close()


async def caught_up(suite: Suite, service: str, reached: dict[str, int]) -> None:
    conn = await asyncpg.connect(suite.database_urls[service])
    try:
        for _ in range(300):
            now = {}
            for key in reached:
                schema, stream = key.split(".", 1)
                now[key] = await conn.fetchval(
                    f"SELECT last_seq FROM {schema}.rc_checkpoint WHERE stream = $1", stream
                )
            if all(now[k] >= v for k, v in reached.items()):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{service} did not catch up: {now} < {reached}")
    finally:
        await conn.close()


async def test_an_automated_decision_is_mailed_as_a_pdf_and_its_dispatch_recorded_once(
    suite: Suite, smtp: SmtpServer, casework_log: Runtime
) -> None:
    accepted = await apply(suite, "gewerbeanmeldung", gewerbeanmeldung())
    case_id, number = accepted["application_id"], accepted["case_number"]

    mail = await wait_for_mail(smtp, APPLICANT, "Bescheid: Gewerbeanmeldung")
    assert mail["Subject"] == "Bescheid: Gewerbeanmeldung – Große Kreisstadt Wurzen"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"(Vorgangsnummer {number}) wurde entschieden" in text
    assert "gilt am dritten Tag nach dem Versand dieser E-Mail als bekannt gegeben" in text
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"bescheid-{case_id}.pdf"
    pdf = attachment.get_payload(decode=True)
    assert isinstance(pdf, bytes)
    letter = pdf_text(pdf)
    submitted = german_date(datetime.now(UTC))
    for part in (
        "Große Kreisstadt Wurzen",
        "Stadtverwaltung Wurzen · Gewerbeamt",
        "Hedwig Quirinus-Zwetschgenbaum Jacobsplatz 5 04808 Wurzen",
        f"Vorgangsnummer {number}",
        f"Ihrem Antrag „Gewerbeanmeldung“ vom {submitted:%d.%m.%Y} wird stattgegeben.",
        "Dieser Bescheid wurde automatisch erstellt und ist ohne Unterschrift gültig",
        "Rechtsbehelfsbelehrung",
    ):
        assert part in letter, part

    # casework's log: the document (the very bytes mailed) and its dispatch with Bekanntgabe.
    issued = await wait_for_event(casework_log, case_id, DecisionDocumentIssued)
    assert issued.document.object_name == f"{case_id}/bescheid-{case_id}.pdf"
    assert issued.document.size == len(pdf)
    assert re.fullmatch(r"[0-9a-f]{64}", issued.document.sha256)
    dispatched = await wait_for_event(casework_log, case_id, DecisionDispatched)
    assert dispatched.known_on == known_on(german_date(dispatched.dispatched_at))
    assert dispatched.known_on >= german_date(dispatched.dispatched_at) + timedelta(days=3)

    # Everything delivered again, the letter's record lost as in a crash before its commit.
    reached = await rewind(suite, "casework", ["rm_decision_letters", "rm_decision_dispatch"])
    conn = await asyncpg.connect(suite.database_urls["casework"])
    await conn.execute("UPDATE rm_decision_letters.letters SET status = 'waiting'")
    await conn.close()
    notify_reached = await rewind(suite, "notify", ["rm_outbox"])
    for service in ("casework", "notify"):
        suite.start_one(service)
    for service in ("casework", "notify"):
        suite.wait_ready(service)
    await caught_up(suite, "casework", reached)
    await caught_up(suite, "notify", notify_reached)
    await asyncio.sleep(1.0)  # a second mail would be on its way by now

    assert len(mail_to(smtp, APPLICANT, "Bescheid:")) == 1
    assert len(mail_to(smtp, APPLICANT, "Eingangsbestätigung:")) == 1
    assert len(mail_to(smtp, APPLICANT, "Gebührenbescheid:")) <= 1  # billing's (test_fee_notices)
    events = await case_events(casework_log, case_id)
    assert sum(isinstance(e, DecisionDocumentIssued) for e in events) == 1
    assert sum(isinstance(e, DecisionDispatched) for e in events) == 1


async def record(log: Runtime, case_id: str, event: DomainEvent, data_key: str) -> None:
    """Append to the case as casework does (its key for the personal fields)."""
    await log.store.decide_and_append(
        case_ref(case_id),
        lambda history: [event],
        cause=Cause(actor=f"clerk:{SACHSE.id}@{SACHSE.town}", correlation_id=new_id()),
        data_key=data_key,
    )


async def test_each_case_message_reaches_its_recipient_with_its_template(
    suite: Suite,
    smtp: SmtpServer,
    casework_log: Runtime,
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
) -> None:
    order = await apply(suite, "verkehrsrechtliche-anordnung", verkehrsrechtliche_anordnung())
    report = await apply(suite, "maengelmelder", maengelmelder())
    case_id, key = order["application_id"], order["application_id"]
    await wait_for_event(casework_log, case_id, DomainEvent)
    await wait_for_event(casework_log, report["application_id"], DomainEvent)
    now, due = datetime.now(UTC), today() + timedelta(days=14)
    uuid = UUID(case_id)

    for event in (
        CaseClaimed(case_id=uuid, clerk=SACHSE, claimed_at=now),
        InformationRequested(
            case_id=uuid,
            request_id=new_id(),
            question="Bitte reichen Sie den Plan „B II/1“ mit den Maßen der Absperrung nach.",
            due=due,
            by=SACHSE,
            requested_at=now,
        ),
        HearingRequested(
            case_id=uuid,
            hearing_id=new_id(),
            body="polizei",
            body_name="Polizeirevier (örtlich zuständig)",
            body_email=POLICE,
            subject="Vollsperrung der Wenceslaigasse mit Umleitung über die Domgasse",
            due=due,
            by=SACHSE,
            requested_at=now,
            answer_url="https://casework.example/anhoerung/geheim-123",
        ),
        DeadlineNear(case_id=uuid, deadline=due, passed=False, noted_at=now),
        CaseReleased(case_id=uuid, clerk=SACHSE, released_at=now),
        DeadlineNear(case_id=uuid, deadline=today(), passed=True, noted_at=now),
    ):
        await record(casework_log, case_id, event, key)
    reported = StatusReported(
        case_id=UUID(report["application_id"]),
        status="behoben",
        note="Das Schlagloch wurde verfüllt.",
        by=SACHSE,
        reported_at=now,
    )
    await record(casework_log, report["application_id"], reported, report["application_id"])

    question = await wait_for_mail(smtp, CONTRACTOR, "Rückfrage zu Ihrem Antrag")
    body = text_of(question)
    assert "Bitte reichen Sie den Plan „B II/1“ mit den Maßen der Absperrung nach." in body
    assert f"bis zum {due:%d.%m.%Y}" in body
    assert order["status_page_url"] in body
    hearing = text_of(await wait_for_mail(smtp, POLICE, "Anhörung:"))
    assert "https://casework.example/anhoerung/geheim-123" in hearing
    assert order["case_number"] in hearing
    # Both cases' queues announce theirs; the two mails may arrive in either order.
    queued_subject = f"Neuer Vorgang in der Warteschlange: {order['case_number']}"
    queued = text_of(await wait_for_mail(smtp, DESK, queued_subject))
    assert order["case_number"] in queued
    assert "Muldental" not in queued  # nothing of the applicant
    assert CONTRACTOR not in queued
    reminder = await wait_for_mail(smtp, SACHSE.email or "", "Frist läuft bald ab")
    assert "Guten Tag Petra Sachse" in text_of(reminder)
    assert "abgelaufen" in text_of(await wait_for_mail(smtp, DESK, "Frist ist abgelaufen"))
    status = text_of(await wait_for_mail(smtp, APPLICANT, "Sachstand: Mängelmelder"))
    assert "Der gemeldete Mangel ist behoben." in status

    # The applicant withdraws; later, another applicant objects to a decision.
    await record(
        casework_log, case_id, CaseClosed(case_id=uuid, closed_at=now, reason="withdrawn"), key
    )
    withdrawn = text_of(await wait_for_mail(smtp, CONTRACTOR, "Rücknahme bestätigt"))
    assert order["case_number"] in withdrawn
    intake = await connected_runtime(Service.INTAKE, nats_url, namespace, await new_database())
    try:
        objection = ObjectionLodged(
            application_id=UUID(report["application_id"]),
            objection_id=new_id(),
            procedure="maengelmelder",
            grounds="Das Schlagloch ist wieder da.",
            lodged_at=now,
            case_number="WUR-2026-999999",
        )
        await intake.store.append(
            AggregateRef(Service.INTAKE, WURZEN, "application", report["application_id"]),
            [objection],
            expected_seq=(
                await intake.store.load(
                    AggregateRef(Service.INTAKE, WURZEN, "application", report["application_id"])
                )
            ).last_seq,
            cause=Cause(actor="citizen", correlation_id=new_id()),
            data_key=report["application_id"],
        )
    finally:
        await intake.stop()
    lodged = text_of(await wait_for_mail(smtp, APPLICANT, "Eingang Ihres Widerspruchs"))
    assert "Vorgangsnummer WUR-2026-999999" in lodged

    operator = suite.operator_headers()
    async with httpx.AsyncClient(base_url=suite.url("notify"), headers=operator) as client:
        for _ in range(100):
            sent = (await client.get("/api/v1/messages?status=delivered")).json()
            delivered = [m for m in sent if m["template"] != "new_case"]  # one per referral
            if len(delivered) == 9:
                break
            await asyncio.sleep(0.1)
    assert sorted(m["template"] for m in delivered) == sorted(
        [
            "acknowledgement",
            "acknowledgement",
            "information_request",
            "hearing_invitation",
            "deadline_near",
            "deadline_near",
            "status_report",
            "withdrawal",
            "objection_received",
        ]
    )
