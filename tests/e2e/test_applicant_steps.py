"""The applicant's steps through the JSON API, on the running suite: answering a clerk's
question with a file, withdrawing, downloading the decision, objecting — and every refusal
in German, with the status the contract names.

A clerk's steps are appended to casework's stream as casework appends them
(``tests.support.case_events``); everything else is the suite's own doing.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from contracts.calendar import objection_period_end
from contracts.events.intake import AttachmentRef, InformationProvided, ObjectionLodged
from contracts.naming import Service
from runtime.eventstore import AggregateRef
from tests.conftest import DatabaseFactory
from tests.support.applications import PDF, WURZEN, example
from tests.support.case_events import CaseDesk, case_desk
from tests.support.suite import Suite

APPLY = f"/api/v1/towns/{WURZEN}/procedures/hundesteuer-anmeldung/applications"
QUESTION = "Bitte reichen Sie den Nachweis der Hundehaftpflichtversicherung nach."
ANSWER = "Die Versicherung besteht bei der Sächsischen seit dem 1. November.\nPolice anbei."


@pytest.fixture
async def desk(
    nats_url: str, namespace: str, new_database: DatabaseFactory
) -> AsyncIterator[CaseDesk]:
    async with case_desk(nats_url, namespace, await new_database()) as running:
        yield running


async def submitted(client: httpx.AsyncClient, desk: CaseDesk) -> dict[str, Any]:
    """A dog registered in Wurzen (decided by a clerk), once casework has opened its case."""
    response = await client.post(APPLY, json=example("hundesteuer-anmeldung"))
    assert response.status_code == 201, response.text
    accepted: dict[str, Any] = response.json()
    await desk.opened(UUID(accepted["application_id"]))
    return accepted


async def status_when(
    client: httpx.AsyncClient,
    url: str,
    holds: Callable[[dict[str, Any]], bool],
    timeout: float = 30,
) -> dict[str, Any]:
    """The status once ``holds`` says so (the read model follows the log a moment later)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get(url)
        body: dict[str, Any] = response.json()
        if response.status_code == 200 and holds(body):
            return body
        assert asyncio.get_running_loop().time() < deadline, response.text
        await asyncio.sleep(0.1)


async def application_events(desk: CaseDesk, application_id: str) -> list[Any]:
    """The events of the application's aggregate in intake's stream (personal data opened)."""
    ref = AggregateRef(Service.INTAKE, WURZEN, "application", application_id)
    return [e.event for e in (await desk.runtime.store.load(ref)).events]


def conflict(response: httpx.Response, words: str) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["title"] == "Konflikt mit dem aktuellen Stand."
    assert words in response.json()["detail"], response.json()


async def test_an_applicant_answers_withdraws_downloads_and_objects(
    suite: Suite, desk: CaseDesk
) -> None:
    intake = suite.url("intake")
    async with httpx.AsyncClient(base_url=intake, timeout=15) as client:
        first = await submitted(client, desk)
        other = await submitted(client, desk)
        app_id = UUID(first["application_id"])
        status = await status_when(client, first["status_url"], lambda s: s["expected_decision"])
        assert date.fromisoformat(status["expected_decision"]) > date.today()
        assert status["withdraw_url"]
        assert status["objection_url"] is None
        assert status["open_requests"] == []
        token = first["status_url"].rsplit("token=", 1)[1]
        base = f"/api/v1/applications/{app_id}"

        # Nothing to answer yet: a request the case does not have.
        unknown = await client.post(
            f"{base}/information/{uuid4()}", params={"token": token}, json={"answer": "Hier."}
        )
        conflict(unknown, "gibt es diese Rückfrage nicht")

        # The clerk asks; the page shows the question, intake's tables never hold it.
        request_id = await desk.ask(app_id, QUESTION)
        status = await status_when(client, first["status_url"], lambda s: s["open_requests"])
        [open_request] = status["open_requests"]
        assert open_request["question"] == QUESTION
        assert open_request["request_id"] == str(request_id)
        assert status["status"] == "awaiting_information"
        assert status["status_label"].startswith("Rückfrage offen: Bitte antworten Sie bis zum ")
        assert any(
            line["label"].startswith("Rückfrage der Sachbearbeitung (Antwort bis ")
            for line in status["timeline"]
        )
        assert not await stored_in_clear(suite, "Hundehaftpflichtversicherung")
        answer_url = open_request["answer_url"]

        # An empty answer is refused at its field; a wrong token finds nothing.
        for empty in ("", "   \n"):
            refused = await client.post(answer_url, json={"answer": empty})
            assert refused.status_code == 422, refused.text
            assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
                ("answer", "Bitte geben Sie Ihre Antwort ein.")
            ]
        wrong = await client.post(
            f"{base}/information/{request_id}", params={"token": "0" * 32}, json={"answer": "x"}
        )
        assert wrong.status_code == 404

        # The answer with a PDF: uploaded under the answer's key, sent, sent again.
        key = str(uuid4())
        uploaded = await client.post(
            status["attachments_url"],
            files={"file": ("police.pdf", PDF, "application/pdf")},
            headers={"Idempotency-Key": key},
        )
        assert uploaded.status_code == 201, uploaded.text
        body = {"answer": ANSWER, "attachments": [uploaded.json()["attachment_id"]]}
        without_key = await client.post(answer_url, json=body)
        assert without_key.status_code == 422
        assert without_key.json()["errors"][0]["field"] == "attachments"
        answered = await client.post(answer_url, json=body, headers={"Idempotency-Key": key})
        assert answered.status_code == 201, answered.text
        assert answered.json()["message"].startswith("Ihre Antwort ist eingegangen.")
        again = await client.post(answer_url, json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 200, again.text
        conflict(
            await client.post(answer_url, json={"answer": "Noch etwas."}), "bereits beantwortet"
        )
        provided = [
            e
            for e in await application_events(desk, str(app_id))
            if isinstance(e, InformationProvided)
        ]
        assert len(provided) == 1
        assert provided[0].model_dump(exclude={"provided_at"}) == {
            "application_id": app_id,
            "request_id": request_id,
            "answer": ANSWER,
            "attachments": [
                AttachmentRef(
                    attachment_id=uploaded.json()["attachment_id"],
                    filename="police.pdf",
                    content_type="application/pdf",
                    size=len(PDF),
                    sha256=hashlib.sha256(PDF).hexdigest(),
                ).model_dump()
            ],
        }
        status = await status_when(client, first["status_url"], lambda s: not s["open_requests"])
        assert "Ihre Antwort ist eingegangen" in [line["label"] for line in status["timeline"]]
        assert status["status"] != "awaiting_information"

        # No objection before a decision.
        conflict(
            await client.post(
                status["attachments_url"].replace("/attachments", "/objection"), json={}
            ),
            "erst möglich, wenn über Ihren Antrag entschieden ist",
        )

        # The other application is withdrawn: once, and a repeat with its key is the same.
        other_withdraw = other["status_url"].replace("?token=", "/withdrawal?token=")
        withdrawn = await client.post(other_withdraw, headers={"Idempotency-Key": "w-1"})
        assert withdrawn.status_code == 201, withdrawn.text
        assert (
            withdrawn.json()["message"]
            == "Ihr Antrag ist zurückgenommen. Der Vorgang wird eingestellt."
        )
        assert (
            await client.post(other_withdraw, headers={"Idempotency-Key": "w-1"})
        ).status_code == 200
        conflict(await client.post(other_withdraw), "bereits zurückgenommen")
        gone = await status_when(
            client, other["status_url"], lambda s: s["withdrawn"] and s["status"] == "closed"
        )
        assert gone["withdraw_url"] is None
        assert gone["status_label"] == "Vorgang nach Ihrer Rücknahme eingestellt"

        # The decision: its letter to download, its Bekanntgabe and the objection period.
        await desk.decide(app_id, "rejected")
        status = await status_when(
            client,
            first["status_url"],
            lambda s: s["decision"] and s["decision"]["document"] and s["decision"]["known_on"],
        )
        decision = status["decision"]
        assert decision["outcome"] == "rejected"
        known_on = date.fromisoformat(decision["known_on"])
        assert date.fromisoformat(decision["objection_until"]) == objection_period_end(known_on)
        assert status["withdraw_url"] is None
        assert status["objection_url"]
        assert status["expected_decision"] is None
        conflict(
            await client.post(f"{base}/withdrawal", params={"token": token}), "bereits entschieden"
        )
        letter = await client.get(decision["document"]["download_url"])
        assert letter.status_code == 200, letter.text
        assert letter.headers["content-type"] == "application/pdf"
        assert letter.headers["content-disposition"].startswith("attachment; ")
        assert letter.headers["cache-control"] == "no-store"
        assert letter.content.startswith(b"%PDF")
        assert hashlib.sha256(letter.content).hexdigest() in await desk.letters(app_id)
        assert (
            await client.get(f"{base}/decision-document", params={"token": "0" * 32})
        ).status_code == 404

        # The objection: a new case with its own number and its own link, once.
        objection_key = str(uuid4())
        proof = await client.post(
            status["attachments_url"],
            files={"file": ("gutachten.pdf", PDF, "application/pdf")},
            headers={"Idempotency-Key": objection_key},
        )
        assert proof.status_code == 201, proof.text
        objection_body = {
            "grounds": "Die Police lag bei.",
            "attachments": [proof.json()["attachment_id"]],
        }
        lodged = await client.post(
            status["objection_url"], json=objection_body, headers={"Idempotency-Key": objection_key}
        )
        assert lodged.status_code == 201, lodged.text
        objection = lodged.json()
        assert re.fullmatch(r"WUR-\d{4}-\d{6}", objection["case_number"])
        assert objection["case_number"] not in (first["case_number"], other["case_number"])
        number = objection["case_number"]
        assert objection["message"] == (
            f"Ihr Widerspruch ist unter der Vorgangsnummer {number} eingegangen."
        )
        repeated = await client.post(
            status["objection_url"], json=objection_body, headers={"Idempotency-Key": objection_key}
        )
        assert repeated.status_code == 200
        assert repeated.json() == objection
        conflict(
            await client.post(status["objection_url"], json={"grounds": "Noch einmal."}),
            f"bereits Widerspruch eingelegt (Vorgangsnummer {objection['case_number']})",
        )
        [lodged_event] = [
            e for e in await application_events(desk, str(app_id)) if isinstance(e, ObjectionLodged)
        ]
        assert lodged_event.model_dump(exclude={"lodged_at", "attachments"}) == {
            "application_id": app_id,
            "objection_id": UUID(objection["objection_id"]),
            "procedure": "hundesteuer-anmeldung",
            "grounds": "Die Police lag bei.",
            "case_number": objection["case_number"],
        }
        assert [a.filename for a in lodged_event.attachments or []] == ["gutachten.pdf"]

        # The first application links to the objection; the objection has a status of its
        # own, behind its own token (the first one's does not open it).
        status = await status_when(client, first["status_url"], lambda s: s["objection"])
        assert status["objection"]["case_number"] == objection["case_number"]
        assert status["objection"]["status_url"] == objection["status_url"]
        assert status["objection_url"] is None
        own = await status_when(
            client,
            objection["status_url"],
            lambda s: any(line["step"] == "case_opened" for line in s["timeline"]),
        )
        assert own["kind"] == "objection"
        assert own["procedure_title"] == "Widerspruch (Hundesteuer: Anmeldung eines Hundes)"
        assert own["objection_to_case_number"] == first["case_number"]
        assert own["timeline"][0]["label"] == "Widerspruch eingegangen"
        assert own["withdraw_url"]
        assert own["objection_url"] is None
        foreign = await client.get(
            f"/api/v1/applications/{objection['objection_id']}", params={"token": token}
        )
        assert foreign.status_code == 404

        # Anything malformed is a German 422, never a 500.
        malformed = await client.post(
            f"{base}/information/kein-antrag", params={"token": token}, json={"answer": "x"}
        )
        assert malformed.status_code == 422

        # The page's forms: only from intake's own page; a broken address is a German page.
        page = f"/antraege/{app_id}"
        foreign_form = await client.post(
            f"{page}/ruecknahme",
            params={"token": token},
            headers={"Sec-Fetch-Site": "cross-site"},
            data={"schluessel": "x"},
        )
        assert foreign_form.status_code == 403
        assert "Nicht ausgeführt" in foreign_form.text
        for method, url in (
            ("POST", "/antraege/kaputt/ruecknahme"),
            ("POST", f"{page}/rueckfragen/kaputt?token={token}"),
            ("GET", f"{page}/bescheid?token={'0' * 32}"),
            ("GET", "/antraege/kaputt/bescheid"),
        ):
            broken = await client.request(method, url)
            assert broken.status_code == 404, url
            assert broken.headers["content-type"].startswith("text/html"), url
            assert "Antrag nicht gefunden" in broken.text, url


async def stored_in_clear(suite: Suite, text: str) -> bool:
    """Whether any text column of intake's read models holds ``text``."""
    conn = await asyncpg.connect(suite.database_urls["intake"])
    try:
        found = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM rm_tracking.timeline WHERE label LIKE $1)"
            " OR EXISTS (SELECT 1 FROM rm_tracking.information_requests"
            " WHERE position(convert_to($2, 'UTF8') in sealed_commit) > 0)",
            f"%{text}%",
            text,
        )
        return bool(found)
    finally:
        await conn.close()
