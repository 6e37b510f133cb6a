"""The desk in an application: CSRF on every form, sign-in for every page, German refusals.

A real FastAPI application with the runtime's error handlers and headers, the desk
installed, and two routes of a service's own (``desk_router``); requests through Starlette's
test client. The session cookie is sealed as the callback would seal it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Form, Request, Response

from runtime.auth import Identity
from runtime.desk import Desk, DeskSettings, DeskSupervisor, DeskUser, desk_router
from runtime.desk.csrf import origin_of, same_origin
from runtime.desk.session import SESSION_COOKIE, new_session
from runtime.http import ProtectiveHeaders, install_error_handlers

ORIGIN = "http://testserver"
CLERK = Identity(
    subject="augustusburg.sachbearbeitung",
    name="Anton Augst",
    email="anton.augst@augustusburg.rathauscloud.example",
    roles=frozenset({"clerk"}),
    towns=("14522020",),
    procedures=("gewerbeanmeldung",),
)


def settings(**changes: str) -> DeskSettings:
    values = {
        "environment": "test",
        "public_url": ORIGIN,
        "session_secret": "k3J9-qXz_82hGv0LmN5pRt7wYb4cDe6Fa1Sx",
        "oidc_issuer": "http://127.0.0.1:9/issuer",
        "desk_billing_url": "https://rechnungen.example/desk/",
        **changes,
    }
    return DeskSettings.model_validate(values)


class Service:
    """An application with a desk and a form that counts what reached it."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.received: list[str] = []
        self.app = FastAPI()
        install_error_handlers(self.app)
        self.app.add_middleware(ProtectiveHeaders)
        pages = desk_router()

        @pages.get("/seite")
        async def page(request: Request, user: DeskUser) -> Response:
            return desk.page(
                request,
                "fehler.html",
                {"title": user.name, "detail": "", "status": 200, "problems": [], "sign_in": ""},
            )

        @pages.post("/notiz")
        async def note(text: Annotated[str, Form()], user: DeskUser) -> Response:
            self.received.append(text)
            return Response(status_code=204)

        @pages.get("/leitung")
        async def supervisors_only(user: DeskSupervisor) -> Response:
            return Response("ok")

        self.app.include_router(desk.router())
        self.app.include_router(pages)
        desk.install(self.app)

    def session_cookie(self, identity: Identity = CLERK) -> tuple[str, str]:
        session = new_session(identity, int(time.time()) + 900, time.time())
        sealed = self.desk.seal.seal("session", session.payload(), session.expires_at)
        return sealed, session.csrf


@pytest.fixture
def service() -> Service:
    return Service(Desk(settings(), "casework", town_names={"14522020": "Augustusburg"}))


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as test_client:
        yield test_client


def signed_in(service: Service, client: httpx.AsyncClient, identity: Identity = CLERK) -> str:
    sealed, csrf = service.session_cookie(identity)
    client.cookies.set(SESSION_COOKIE, sealed)
    return csrf


async def test_a_form_with_the_session_s_token_from_this_desk_is_accepted(
    service: Service, client: httpx.AsyncClient
) -> None:
    csrf = signed_in(service, client)
    answer = await client.post(
        "/desk/notiz", data={"csrf": csrf, "text": "Rückruf"}, headers={"Origin": ORIGIN}
    )
    assert answer.status_code == 204, answer.text
    assert service.received == ["Rückruf"]  # the form, parsed once, reached the endpoint too
    by_header = await client.post(
        "/desk/notiz", data={"text": "htmx"}, headers={"Origin": ORIGIN, "X-CSRF-Token": csrf}
    )
    assert by_header.status_code == 204


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, {"Origin": ORIGIN}),
        ("wrong", {"Origin": ORIGIN}),
        ("", {"Origin": ORIGIN}),
        ("valid", {"Origin": "https://evil.example"}),
        ("valid", {"Origin": "null"}),
        ("valid", {}),
        ("valid", {"Referer": "https://evil.example/desk/"}),
        ("valid", {"Origin": "http://testserver.evil.example"}),
    ],
)
async def test_a_form_without_its_token_or_from_elsewhere_is_refused_with_a_german_page(
    service: Service, client: httpx.AsyncClient, token: str | None, headers: dict[str, str]
) -> None:
    csrf = signed_in(service, client)
    data = {"text": "Angriff"}
    if token is not None:
        data["csrf"] = csrf if token == "valid" else token
    answer = await client.post("/desk/notiz", data=data, headers=headers)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "Anfrage abgelehnt" in answer.text
    assert 'lang="de"' in answer.text
    assert service.received == []


async def test_a_referer_of_this_desk_stands_in_for_a_missing_origin(
    service: Service, client: httpx.AsyncClient
) -> None:
    csrf = signed_in(service, client)
    answer = await client.post(
        "/desk/notiz", data={"csrf": csrf, "text": "x"}, headers={"Referer": f"{ORIGIN}/desk/"}
    )
    assert answer.status_code == 204


async def test_a_form_without_a_session_gets_a_401_page(
    service: Service, client: httpx.AsyncClient
) -> None:
    answer = await client.post("/desk/notiz", data={"text": "x"}, headers={"Origin": ORIGIN})
    assert answer.status_code == 401
    assert "Anmeldung erforderlich" in answer.text
    assert service.received == []


async def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/desk/seite?filter=offen")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/desk/anmelden?ziel=%2Fdesk%2Fseite%3Ffilter%3Doffen"


async def test_a_cookie_sealed_with_another_secret_counts_as_signed_out(
    client: httpx.AsyncClient,
) -> None:
    other = Service(Desk(settings(session_secret="another-secret-" * 3), "casework"))
    sealed, _ = other.session_cookie()
    client.cookies.set(SESSION_COOKIE, sealed)
    assert (await client.get("/desk/seite")).status_code == 303


async def test_a_page_shows_who_is_signed_in_with_the_desk_s_headers(
    service: Service, client: httpx.AsyncClient
) -> None:
    csrf = signed_in(service, client)
    answer = await client.get("/desk/seite")
    assert answer.status_code == 200
    page = answer.text
    for shown in ("Anton Augst", "Augustusburg", "Sachbearbeitung"):
        assert shown in page
    assert f'<input type="hidden" name="csrf" value="{csrf}">' in page
    assert '<a href="/desk/" aria-current="true">Vorgänge</a>' in page  # in its area
    assert '<a href="https://rechnungen.example/desk/">Rechnungen</a>' in page
    assert "E-Akte" not in page  # not configured, not shown
    policy = answer.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self' http://127.0.0.1:9",
        "frame-src 'self'",
        "object-src 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["cache-control"] == "no-store"


async def test_a_page_for_another_role_is_a_german_403(
    service: Service, client: httpx.AsyncClient
) -> None:
    signed_in(service, client)
    answer = await client.get("/desk/leitung")
    assert answer.status_code == 403
    assert "Keine Berechtigung" in answer.text
    assert "„Leitung“" in answer.text
    supervisor = Identity("l", "Lea", frozenset({"clerk", "supervisor"}), ("14522020",))
    signed_in(service, client, supervisor)
    assert (await client.get("/desk/leitung")).status_code == 200


async def test_errors_under_the_desk_are_german_pages_and_json_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.get("/desk/gibt-es-nicht")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Nicht gefunden" in missing.text
    wrong_method = await client.get("/desk/abmelden")
    assert wrong_method.status_code == 405
    assert "POST" in wrong_method.headers["allow"]
    assert (await client.get("/api/v1/nichts")).headers["content-type"] == "application/json"


async def test_signing_out_clears_the_session_even_when_it_has_expired(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/desk/abmelden", headers={"Origin": ORIGIN})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/desk/abgemeldet"
    assert 'rathaus-sitzung=""' in answer.headers["set-cookie"]
    assert (
        await client.post("/desk/abmelden", headers={"Origin": "https://evil.example"})
    ).status_code == 403


async def test_the_stylesheet_is_cacheable_by_its_content_hash(
    service: Service, client: httpx.AsyncClient
) -> None:
    pinned = service.desk.stylesheet.url
    first = await client.get(pinned)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/css")
    assert "immutable" in first.headers["cache-control"]
    again = await client.get(
        "/desk/static/desk.css", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert (await client.get("/desk/static/desk.0123456789ab.css")).status_code == 404


def test_same_origin_compares_scheme_host_and_port() -> None:
    assert origin_of("HTTPS://Desk.Example:443/x") == "https://desk.example"
    assert origin_of("http://127.0.0.1:8002/desk/") == "http://127.0.0.1:8002"
    assert same_origin({"origin": "http://127.0.0.1:8002"}, "http://127.0.0.1:8002")
    assert not same_origin({"origin": "http://127.0.0.1:8003"}, "http://127.0.0.1:8002")
    assert not same_origin({}, "http://127.0.0.1:8002")
