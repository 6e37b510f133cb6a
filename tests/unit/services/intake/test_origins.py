"""Which pages may call intake from a browser — and a refused page can read why."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from runtime.http import german_message
from services.intake.api.origins import TownOrigins, application_of, town_of
from services.intake.api.routes import CLIENT_MESSAGES

APPLICATION = "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"
TOWN_PAGE = "https://www.wurzen.de"
OTHER_PAGE = "https://fremd.example"


def test_a_path_names_its_town_or_its_application_with_every_step_on_it() -> None:
    assert town_of("/api/v1/towns/14729410/procedures") == "14729410"
    assert application_of(f"/api/v1/applications/{APPLICATION}") == APPLICATION
    for step in ("/withdrawal", "/objection", "/attachments", f"/information/{APPLICATION}"):
        assert application_of(f"/api/v1/applications/{APPLICATION}{step}") == APPLICATION
    assert application_of(f"/api/v1/applications/{APPLICATION}x") is None


async def test_a_refused_page_reads_the_german_refusal() -> None:
    async def allowed(origin: str, path: str) -> bool:
        return origin == TOWN_PAGE

    async def ok(_: Any) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = TownOrigins(
        Starlette(routes=[Route("/api/v1/towns", ok)]), allowed, "https://intake.example"
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://intake.example"
    ) as client:
        refused = await client.get("/api/v1/towns", headers={"Origin": OTHER_PAGE})
        let_in = await client.get("/api/v1/towns", headers={"Origin": TOWN_PAGE})
    assert refused.status_code == 403
    assert refused.headers["access-control-allow-origin"] == OTHER_PAGE
    assert refused.headers["vary"] == "Origin"
    assert refused.json()["detail"] == (
        "Diese Internetseite ist für die Anträge dieser Gemeinde nicht freigegeben."
    )
    assert let_in.status_code == 200
    assert let_in.headers["access-control-allow-origin"] == TOWN_PAGE


def test_the_widget_gets_the_servers_message_for_an_unticked_declaration() -> None:
    expected = german_message({"type": "literal_error", "ctx": {"expected": "True"}})
    assert CLIENT_MESSAGES["confirm"] == expected == "Bitte bestätigen Sie diese Angabe."
