"""A bounce comes back: the operator sees the message bounced, and so does the clerk on the case.

intake, casework and notify as processes; the acknowledgement goes to an address the test's
SMTP sink accepts, with notify's VERP envelope sender. Then, as the recipient's mail server
would, the test sends a delivery status notification (RFC 3464) for it to notify's bounce
port — twice, as a relay retrying would. notify's operator API lists the message bounced;
casework learns it from notify's log and shows it on the case, in the API and on the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import aiosmtplib
import httpx
import pytest

from devstack.embedded import free_port
from runtime.auth import Identity
from runtime.desk.csrf import CSRF_FIELD
from runtime.desk.session import SESSION_COOKIE
from tests.conftest import DatabaseFactory
from tests.support.applications import gewerbeanmeldung
from tests.support.desk import WURZEN, clerk_token, desk_client
from tests.support.desk_pages import PageClient, clerk_identity, sealed_session
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.suite import Suite
from tests.unit.services.notify.test_bounces import MESSAGE, POSTFIX_BOUNCE

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"
ADDRESS = "hedwig.quirinus@example.org"


@pytest.fixture
async def trio(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    smtp: SmtpServer,
    issuer: DevIssuer,
    tmp_path: Path,
) -> AsyncIterator[Suite]:
    """intake, casework and notify, notify with its bounce port."""
    names = ("intake", "casework", "notify")
    running = Suite(
        nats_url=nats_url,
        database_urls={name: await new_database() for name in names},
        smtp_port=smtp.port,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
        service_env={"notify": {"NOTIFY_BOUNCE_SMTP_PORT": str(free_port())}},
    )
    try:
        running.start(names)
        yield running
    finally:
        running.stop()


async def send_report(port: int, to: str, raw: bytes) -> None:
    """Deliver a DSN as a mail server does: null envelope sender."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as client:
        await client.mail("")
        await client.rcpt(to)
        await client.data(raw)


def notify_pages(suite: Suite, identity: Identity) -> tuple[httpx.AsyncClient, str]:
    """notify's desk as a signed-in browser calls it, and the session's CSRF token."""
    cookie, csrf = sealed_session(suite, identity)
    client = httpx.AsyncClient(
        base_url=suite.url("notify"),
        cookies={SESSION_COOKIE: cookie},
        headers={"Origin": suite.url("notify")},
        timeout=30,
    )
    return client, csrf


async def until(check: Any, what: str, timeout: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"never: {what}")


async def test_a_bounced_acknowledgement_shows_for_the_operator_and_on_the_case(
    trio: Suite, smtp: SmtpServer, issuer: DevIssuer
) -> None:
    async with httpx.AsyncClient(base_url=trio.url("intake"), timeout=15) as client:
        answer = await client.post(APPLY, json=gewerbeanmeldung())
        assert answer.status_code == 201, answer.text
    case_id = UUID(answer.json()["application_id"])
    await smtp.mailbox.wait_for(1)
    mail = smtp.mailbox.messages[0]  # the acknowledgement (a decision may follow)
    assert mail["To"] == ADDRESS
    message_id = UUID(str(mail["Message-ID"]).strip("<>").split("@")[0])
    verp = f"bounce+{message_id}@rathauscloud.example"
    assert smtp.mailbox.senders[0] == verp

    dsn = POSTFIX_BOUNCE.replace(str(MESSAGE).encode(), str(message_id).encode())
    dsn = dsn.replace(b"hedwig.quirinus@beispiel.de", ADDRESS.encode())
    port = int(trio.service_env["notify"]["NOTIFY_BOUNCE_SMTP_PORT"])
    await send_report(port, verp, dsn)
    await send_report(port, verp, dsn)  # a relay's retry: applied once

    operator = trio.operator_headers()
    async with httpx.AsyncClient(base_url=trio.url("notify"), headers=operator) as notify:

        async def bounced() -> list[dict[str, Any]]:
            found = await notify.get("/api/v1/messages", params={"status": "bounced"})
            assert found.status_code == 200, found.text
            return list(found.json())

        [row] = await until(bounced, "the message listed bounced")
        assert row["message_id"] == str(message_id)
        assert row["case_id"] == str(case_id)
        assert row["last_error"].startswith("DSN failed 5.1.1: 550 5.1.1 <…>")
        assert ADDRESS not in row["last_error"]

    token = clerk_token(issuer, WURZEN, "Wenzel Wurzner")
    async with desk_client(trio, token) as desk:

        async def on_the_case() -> dict[str, Any] | None:
            answer = await desk.get(f"/api/v1/desk/cases/{case_id}")
            if answer.status_code != 200:
                return None
            mine = [m for m in answer.json()["messages"] if m["message_id"] == str(message_id)]
            return mine[0] if mine and mine[0]["status"] == "bounced" else None

        shown = await until(on_the_case, "the case shows the message bounced")
    assert shown["template"] == "acknowledgement"
    assert shown["label"] == "Eingangsbestätigung"
    assert shown["status_label"] == "unzustellbar (Bounce)"
    assert shown["recipient"] == ADDRESS
    assert shown["detail"].startswith("5.1.1 – 550 5.1.1")

    async with PageClient(trio, clerk_identity(WURZEN, "Wenzel Wurzner")) as pages:
        page = await pages.get(f"/desk/vorgaenge/{case_id}")
    assert page.status_code == 200, page.text[:500]
    assert f'id="nachricht-{message_id}" data-status="bounced"' in page.text
    assert "unzustellbar (Bounce)" in page.text

    # The operators' page lists it under „unzustellbar (Bounce)“; a clerk may not see it.
    olga = clerk_identity("", "Olga Betrieb", roles=("operator",))
    client, _ = notify_pages(trio, olga)
    async with client:
        page = await client.get("/desk/nachrichten", params={"status": "bounced"})
        assert page.status_code == 200, page.text[:500]
        assert f'id="nachricht-{message_id}"' in page.text
        assert "unzustellbar (Bounce) (1)" in page.text
        assert "Erneut senden" not in page.text  # only failed ones are sent again
    clerk_client, _ = notify_pages(trio, clerk_identity(WURZEN, "Wenzel Wurzner"))
    async with clerk_client:
        refused = await clerk_client.get("/desk/nachrichten")
        assert refused.status_code == 403


async def test_the_operators_page_sends_a_failed_message_again(
    trio: Suite, smtp: SmtpServer
) -> None:
    smtp.mailbox.reject_permanently = True
    async with httpx.AsyncClient(base_url=trio.url("intake"), timeout=15) as intake:
        answer = await intake.post(APPLY, json=gewerbeanmeldung())
        assert answer.status_code == 201, answer.text
    client, csrf = notify_pages(trio, clerk_identity("", "Olga Betrieb", roles=("operator",)))
    async with client:

        async def failed() -> str | None:
            page = await client.get("/desk/nachrichten")  # failed ones by default
            found = page.text.split('id="erneut-', 1)
            return found[1].split('"', 1)[0] if len(found) == 2 else None

        message_id = await until(failed, "the failed message with its button")
        smtp.mailbox.reject_permanently = False  # the operator fixed the cause
        sent = await client.post(f"/desk/nachrichten/{message_id}/erneut", data={CSRF_FIELD: csrf})
        assert sent.status_code == 303
        assert sent.headers["location"] == "/desk/nachrichten?status=failed"
        await smtp.mailbox.wait_for(1)
        again = await client.post(f"/desk/nachrichten/{message_id}/erneut", data={CSRF_FIELD: csrf})
        assert again.status_code == 409  # no longer failed
        assert "Nur fehlgeschlagene Nachrichten" in again.text
