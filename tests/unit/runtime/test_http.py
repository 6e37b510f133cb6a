"""German errors that match the contract: by field, for bad JSON, sizes, methods, outages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import nats.errors
import pytest
import structlog.testing
from fastapi import APIRouter, FastAPI, Response
from pydantic import BaseModel, Field, ValidationError

from contracts.procedures.gewerbeanmeldung import Applicant
from runtime.http import (
    FALLBACK,
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_DETAIL,
    UNPRINTABLE,
    ErrorBody,
    JsonRoute,
    ProtectiveHeaders,
    body_limit,
    error_responses,
    field_errors,
    german_message,
    install_error_handlers,
    size_text,
    unprintable_fields,
)


class _Registration(BaseModel):
    trade_name: str = Field(max_length=20)
    employees: int = 0


def errors_of(model: type[BaseModel], data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [dict(error) for error in caught.value.errors()]


def test_a_missing_field_says_it_is_missing() -> None:
    [error] = errors_of(_Registration, {})

    assert german_message(error) == "Diese Angabe fehlt."


def test_a_validator_message_in_german_is_passed_through() -> None:
    applicant = {
        "family_name": "Schmidt",
        "given_names": "Anna",
        "birth_date": (date.today() + timedelta(days=30)).isoformat(),
        "nationality": "DE",
        "email": "anna@example.org",
        "address": {"street": "Hauptstraße 5", "postcode": "01067", "city": "Dresden"},
    }
    [error] = errors_of(Applicant, applicant)

    assert german_message(error) == "Das Geburtsdatum darf nicht in der Zukunft liegen."


def test_a_too_long_text_names_the_limit() -> None:
    [error] = errors_of(_Registration, {"trade_name": "x" * 21})

    assert german_message(error) == "Der Text ist zu lang (höchstens 20 Zeichen)."


def test_an_unknown_error_type_gets_the_general_message() -> None:
    assert german_message({"type": "quantum_flux", "msg": "Reality is broken"}) == FALLBACK
    assert FALLBACK == "Diese Angabe ist ungültig."


def test_a_template_whose_context_is_missing_gets_the_general_message() -> None:
    assert german_message({"type": "string_too_long", "ctx": {}}) == FALLBACK


def test_a_value_error_without_a_message_gets_the_general_message() -> None:
    assert german_message({"type": "value_error", "ctx": {}}) == FALLBACK


def test_field_errors_name_the_field_by_its_path() -> None:
    errors = errors_of(_Registration, {"trade_name": "x" * 21, "employees": "viele"})

    result = field_errors([{**e, "loc": ("body", *e["loc"])} for e in errors], strip=1)

    assert [(e.field, e.message, e.type) for e in result] == [
        ("trade_name", "Der Text ist zu lang (höchstens 20 Zeichen).", "string_too_long"),
        ("employees", "Hier wird eine ganze Zahl erwartet.", "int_parsing"),
    ]


def test_field_errors_prefix_fields_but_not_the_whole_request() -> None:
    errors = [
        {"type": "missing", "loc": ("attachments", 0, "filename")},
        {"type": "json_invalid", "loc": ()},
    ]

    result = field_errors(errors, prefix="form.")

    assert [(e.field, e.message) for e in result] == [
        ("form.attachments.0.filename", "Diese Angabe fehlt."),
        ("(Anfrage)", "Die Anfrage ist kein gültiges JSON."),
    ]


def test_control_characters_and_lone_surrogates_are_named_by_field() -> None:
    form = {
        "applicant": {"family_name": "Muster\x00", "given_names": "Anna\nMaria"},
        "business": {"activity": "Web\ud800design", "tags": ["gut", "bö\x1bse"]},
        "employees": 3,
    }
    errors = unprintable_fields(form, ("form",))
    assert [e.field for e in errors] == [
        "form.applicant.family_name",
        "form.business.activity",
        "form.business.tags.1",
    ]
    assert {e.message for e in errors} == {UNPRINTABLE}


def test_ordinary_text_with_umlauts_tabs_and_line_breaks_passes() -> None:
    assert unprintable_fields({"a": "Größe\tÄrger\r\nß — „ok“ 🙂", "b": [None, 1.5, True]}) == []


# --- The HTTP contract: JSON bodies, sizes, methods, outages --------------------------------


class _Order(BaseModel):
    name: str


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    api = APIRouter(route_class=JsonRoute)

    @api.post("/orders", status_code=201, responses=error_responses(413, 415, 422))
    async def order(body: _Order) -> dict[str, str]:
        return {"name": body.name}

    @api.post("/uploads")
    @body_limit(1024 * 1024)
    async def upload(body: _Order) -> dict[str, int]:
        return {"length": len(body.name)}

    @api.get("/lost")
    async def lost() -> None:
        raise nats.errors.TimeoutError

    @api.get("/gone")
    async def gone() -> None:
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")

    @api.get("/broken")
    async def broken() -> None:
        raise KeyError("a bug")

    app.include_router(api)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


JSON = {"Content-Type": "application/json"}


async def test_a_json_body_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/orders", json={"name": "Größe"})
    assert (response.status_code, response.json()) == (201, {"name": "Größe"})
    response = await client.post(
        "/orders",
        content=b'{"name": "x"}',
        headers={"Content-Type": "application/merge-patch+json; charset=utf-8"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_declared_json_is_a_415_in_german(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/orders", content=b'{"name": "x"}', headers=headers)
    assert response.status_code == 415
    assert response.json() == {
        "title": "Dieses Format wird nicht unterstützt.",
        "detail": "Bitte senden Sie die Angaben als JSON (Content-Type: application/json).",
        "errors": [],
    }


async def test_an_empty_body_without_a_type_is_reported_as_missing(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/orders")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "(Anfrage)", "message": "Diese Angabe fehlt.", "type": "missing"}
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{\n  "name": "x",\n  "size": 3,\n}',
            "Die Anfrage ist kein gültiges JSON: Hier wird ein Feldname in doppelten "
            "Anführungszeichen erwartet (Zeile 4, Spalte 1).",
        ),
        (
            b'{"name": "x"',
            "Die Anfrage ist kein gültiges JSON: Hier wird ein Komma erwartet "
            "(Zeile 1, Spalte 13).",
        ),
        (
            b'{"name": "x"} {}',
            "Die Anfrage ist kein gültiges JSON: Nach dem Ende folgen weitere "
            "Zeichen (Zeile 1, Spalte 15).",
        ),
        (b'{"name": NaN}', "Die Anfrage ist kein gültiges JSON: NaN ist in JSON nicht erlaubt."),
        (b"[" * 10_000, "Die Anfrage ist zu tief verschachtelt, um sie zu lesen."),
    ],
)
async def test_malformed_json_is_named_by_line_and_column_in_german(
    client: httpx.AsyncClient, body: bytes, message: str
) -> None:
    response = await client.post("/orders", content=body, headers=JSON)
    assert response.status_code == 422
    assert response.json() == {
        "title": "Bitte prüfen Sie Ihre Angaben.",
        "detail": None,
        "errors": [{"field": "(Anfrage)", "message": message, "type": "json_invalid"}],
    }


async def test_text_that_is_not_utf8_is_named_by_line_and_column_in_german(
    client: httpx.AsyncClient,
) -> None:
    body = '{\n  "name": "Größe"\n}'.encode("latin-1")  # "ö" at line 2, column 14
    response = await client.post("/orders", content=body, headers=JSON)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error == {
        "field": "(Anfrage)",
        "message": "Die Anfrage ist kein gültiger UTF-8-Text (Zeile 2, Spalte 14).",
        "type": "utf8_invalid",
    }


async def test_each_route_has_its_own_body_limit(client: httpx.AsyncClient) -> None:
    name = "x" * (100 * 1024)
    small = await client.post("/orders", json={"name": name})
    assert small.status_code == 413
    assert small.json() == {
        "title": "Die Anfrage ist zu groß.",
        "detail": "Diese Anfrage darf höchstens 64 KB groß sein.",
        "errors": [],
    }
    assert (await client.post("/uploads", json={"name": name})).json() == {"length": len(name)}
    large = await client.post("/uploads", json={"name": name * 11})
    assert large.status_code == 413
    assert large.json()["detail"] == "Diese Anfrage darf höchstens 1 MB groß sein."


async def test_a_body_without_declared_length_is_cut_off_at_the_limit(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = await client.post("/orders", content=chunks(), headers=JSON)
    assert response.status_code == 413


async def test_a_wrong_method_is_a_405_that_says_which_are_allowed(
    client: httpx.AsyncClient,
) -> None:
    response = await client.delete("/orders")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["title"] == "Diese Methode ist hier nicht erlaubt."


@pytest.mark.parametrize("path", ["/lost", "/gone"])
async def test_an_unreachable_nats_or_postgres_is_a_503_with_retry_after(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {
        "title": "Der Dienst ist vorübergehend nicht erreichbar.",
        "detail": UNAVAILABLE_DETAIL,
        "errors": [],
    }


async def test_a_bug_is_still_a_500_and_logged(client: httpx.AsyncClient) -> None:
    with structlog.testing.capture_logs() as logs:
        response = await client.get("/broken")
    assert response.status_code == 500
    assert response.json()["title"] == "Ein interner Fehler ist aufgetreten."
    assert [entry["event"] for entry in logs] == ["unhandled error"]


def test_the_openapi_documents_errors_with_the_body_they_really_have() -> None:
    document = _app().openapi()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorBody"]["properties"]) == {"title", "detail", "errors"}
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    orders = document["paths"]["/orders"]["post"]["responses"]
    assert {status: r["content"]["application/json"]["schema"] for status, r in orders.items()} == {
        "201": {
            "additionalProperties": {"type": "string"},
            "type": "object",
            "title": "Response Order Orders Post",
        },
        "413": error_body,
        "415": error_body,
        "422": error_body,
    }
    # A route that declares nothing still documents its 422 as it is.
    uploads = document["paths"]["/uploads"]["post"]["responses"]
    assert uploads["422"]["content"]["application/json"]["schema"] == error_body


def test_a_503_is_documented_with_its_retry_after_header() -> None:
    [(status, response)] = error_responses(503).items()
    assert status == 503
    assert response["model"] is ErrorBody
    assert response["headers"]["Retry-After"]["required"] is True


@pytest.mark.parametrize(
    ("size", "text"),
    [(500, "500 Bytes"), (64 * 1024, "64 KB"), (1536 * 1024, "1,5 MB"), (20 * 1024**2, "20 MB")],
)
def test_sizes_read_in_german(size: int, text: str) -> None:
    assert size_text(size) == text


async def test_answers_are_not_cached_leak_no_referrer_and_keep_their_own_caching() -> None:
    app = FastAPI()

    @app.get("/status")
    async def application_status() -> dict[str, str]:
        return {"token": "x"}

    @app.get("/asset.js")
    async def asset(response: Response) -> str:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return "x"

    app.add_middleware(ProtectiveHeaders)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/status")
        cached = await client.get("/asset.js")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert cached.headers["cache-control"].startswith("public")
