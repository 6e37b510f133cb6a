"""An operator previews notify's messages: every kind, on a town's letterhead, sample data.

intake and notify run as processes with the demo member folder: notify learns the towns'
letterheads from intake's log, and the demo town Naunhof's own acknowledgement and coat of
arms from the folder. The preview needs an operator's token; an unknown kind or town is a
404 with a German message.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DatabaseFactory
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.suite import Suite

NAUNHOF, WURZEN = "14729300", "14729410"
OWN_SENTENCE = "Bei Fragen zu Ihrem Antrag hilft Ihnen das Bürgerbüro der Stadt Naunhof gern weiter"


@pytest.fixture
async def pair(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    smtp: SmtpServer,
    issuer: DevIssuer,
    tmp_path: Path,
) -> AsyncIterator[Suite]:
    """intake (the towns' profiles) and notify."""
    running = Suite(
        nats_url=nats_url,
        database_urls={"intake": await new_database(), "notify": await new_database()},
        smtp_port=smtp.port,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
    )
    try:
        running.start(("intake", "notify"))
        yield running
    finally:
        running.stop()


async def preview(
    client: httpx.AsyncClient, kind: str, town: str, form: str = "html"
) -> httpx.Response:
    """The preview, once notify knows the town (it reads intake's log on its own)."""
    for _ in range(300):
        response = await client.get(
            f"/api/v1/templates/{kind}/preview", params={"town": town, "format": form}
        )
        if response.status_code != 404 or "Nachrichtenart" in response.text:
            return response
        await asyncio.sleep(0.1)
    return response


async def test_an_operator_previews_every_kind_on_a_towns_own_letterhead(pair: Suite) -> None:
    url = pair.url("notify")
    async with httpx.AsyncClient(base_url=url, timeout=10) as anonymous:
        assert (await anonymous.get("/api/v1/templates")).status_code == 401
        assert (
            await anonymous.get(
                "/api/v1/templates/acknowledgement/preview", params={"town": NAUNHOF}
            )
        ).status_code == 401

    async with httpx.AsyncClient(
        base_url=url, timeout=10, headers=pair.operator_headers()
    ) as client:
        listed = (await client.get("/api/v1/templates")).json()
        kinds = [entry["kind"] for entry in listed]
        assert {"acknowledgement", "decision", "fee_notice", "invoice_rejection"} <= set(kinds)
        assert listed[0] == {"kind": "acknowledgement", "title": "Eingangsbestätigung"}

        own = await preview(client, "acknowledgement", NAUNHOF)
        assert own.status_code == 200, own.text
        assert own.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="de">' in own.text
        assert ">Stadt Naunhof</h1>" in own.text
        assert OWN_SENTENCE in own.text
        assert '<img src="data:image/svg+xml;base64,' in own.text  # no cid: in a browser
        assert 'alt="Wappen: Stadt Naunhof"' in own.text

        text = await preview(client, "acknowledgement", NAUNHOF, "text")
        assert text.headers["content-type"] == "text/plain; charset=utf-8"
        assert text.text.startswith(
            "Betreff: Eingangsbestätigung: Gewerbeanmeldung – Stadt Naunhof\n\nGuten Tag Erika"
        )
        assert OWN_SENTENCE in text.text
        assert text.text.endswith("https://www.naunhof.de\n")

        for kind in kinds:
            shown = await preview(client, kind, WURZEN)
            assert shown.status_code == 200, (kind, shown.text)
            assert ">Große Kreisstadt Wurzen</h1>" in shown.text
            assert OWN_SENTENCE not in shown.text
            assert "<img" not in shown.text

        unknown_kind = await client.get(
            "/api/v1/templates/liebesbrief/preview", params={"town": WURZEN}
        )
        assert unknown_kind.status_code == 404
        assert unknown_kind.json()["detail"] == "Diese Nachrichtenart gibt es nicht."
        unknown_town = await client.get(
            "/api/v1/templates/acknowledgement/preview", params={"town": "14729999"}
        )
        assert unknown_town.status_code == 404
        assert unknown_town.json()["detail"] == "Diese Gemeinde ist nicht bekannt."
