"""Bad input at intake's door: a precise German 4xx, never a 500, and nothing stored."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest

from contracts.naming import Namespace, Service
from tests.support.applications import PDF, WURZEN, gewerbeanmeldung, upload
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"


@pytest.fixture(scope="module")
async def intake(
    nats_url: str, pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory, issuer: DevIssuer
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    namespace = f"t{secrets.token_hex(4)}"
    name = f"test_{secrets.token_hex(5)}"
    admin = await asyncpg.connect(pg_admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = pg_admin_url.rsplit("/", 1)[0] + f"/{name}"
    workdir: Path = tmp_path_factory.mktemp("intake")
    suite = Suite(
        nats_url=nats_url,
        database_urls={"intake": url},
        smtp_port=1,
        workdir=workdir,
        namespace=namespace,
        issuer_url=issuer.url,
    )
    suite.start(("intake",))
    try:
        async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
            await _wait_for_catalogue(client)
            yield client, namespace
    finally:
        suite.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _wait_for_catalogue(client: httpx.AsyncClient) -> None:
    for _ in range(100):
        if len((await client.get("/api/v1/towns")).json()) == 18:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("catalogue not projected")


async def stored_applications(nats_url: str, namespace: str) -> int:
    """How many applications intake's stream holds."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(
            Namespace(namespace).stream(Service.INTAKE), subjects_filter=">"
        )
        return sum(1 for subject in (info.state.subjects or {}) if ".application." in subject)
    finally:
        await nc.close()


def errors_by_field(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    assert body["title"] == "Bitte prüfen Sie Ihre Angaben."
    return {error["field"]: error["message"] for error in body["errors"]}


async def post(client: httpx.AsyncClient, body: Any, **kwargs: Any) -> httpx.Response:
    return await client.post(APPLY, json=body, **kwargs)


async def test_malformed_json_is_a_422_in_german_with_line_and_column(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    response = await client.post(
        APPLY, content=b'{\n  "form": {\n', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert errors_by_field(response) == {
        "(Anfrage)": "Die Anfrage ist kein gültiges JSON: Hier wird ein Feldname in doppelten "
        "Anführungszeichen erwartet (Zeile 3, Spalte 1)."
    }


async def test_a_body_that_is_not_utf8_is_a_422_in_german_with_line_and_column(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    form = gewerbeanmeldung(form__business__trade_name="Bäckerei Größe")
    body = json.dumps(form, ensure_ascii=False, indent=1).encode("latin-1")  # as Windows would
    line, column = _first_non_ascii(body)
    response = await client.post(APPLY, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert errors_by_field(response) == {
        "(Anfrage)": f"Die Anfrage ist kein gültiger UTF-8-Text (Zeile {line}, Spalte {column})."
    }


def _first_non_ascii(body: bytes) -> tuple[int, int]:
    """Line and column of the first non-ASCII byte (an umlaut, in Latin-1)."""
    for number, line in enumerate(body.split(b"\n"), start=1):
        for column, byte in enumerate(line, start=1):
            if byte > 127:
                return number, column
    raise AssertionError("no umlaut in the body")


async def test_a_body_that_is_not_json_is_a_415_in_german(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    body = json.dumps(gewerbeanmeldung()).encode()
    response = await client.post(APPLY, content=body, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["detail"] == (
        "Bitte senden Sie die Angaben als JSON (Content-Type: application/json)."
    )


async def test_an_application_larger_than_a_form_can_be_is_a_413(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    """Files travel on their own: an application is its form and the ids of its files."""
    client, _ = intake
    big = gewerbeanmeldung(form__business__activity="x" * (50 * 1024))
    response = await post(client, big)
    assert response.status_code == 422  # not refused for its size: 50 KB is within the limit
    huge = gewerbeanmeldung(form__business__activity="x" * (1024 * 1024))
    response = await post(client, huge)
    assert response.status_code == 413
    assert response.json() == {
        "title": "Die Anfrage ist zu groß.",
        "detail": "Diese Anfrage darf höchstens 68 KB groß sein.",
        "errors": [],
    }


async def test_a_wrong_method_is_a_405_naming_the_allowed_one(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    response = await client.delete(APPLY)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["title"] == "Diese Methode ist hier nicht erlaubt."


async def test_missing_and_mistyped_fields_are_named_field_by_field(
    intake: tuple[httpx.AsyncClient, str], nats_url: str
) -> None:
    client, namespace = intake
    before = await stored_applications(nats_url, namespace)
    body = gewerbeanmeldung()
    del body["form"]["applicant"]["family_name"]
    body["form"]["applicant"]["birth_date"] = "12.04.1988"
    body["form"]["business"]["employees_full_time"] = "viele"
    body["form"]["business"]["legal_form"] = "aktiengesellschaft"
    response = await post(client, body)
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors["form.applicant.family_name"] == "Diese Angabe fehlt."
    assert errors["form.applicant.birth_date"] == (
        "Bitte geben Sie ein Datum im Format JJJJ-MM-TT an."
    )
    assert errors["form.business.employees_full_time"] == "Hier wird eine ganze Zahl erwartet."
    assert errors["form.business.legal_form"].startswith("Bitte wählen Sie einen der zulässigen")
    assert await stored_applications(nats_url, namespace) == before


async def test_rule_messages_of_the_form_come_through(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    response = await post(
        client,
        gewerbeanmeldung(
            form__applicant__birth_date="2999-01-01", form__declaration_truthful=False
        ),
    )
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors["form.applicant.birth_date"] == (
        "Das Geburtsdatum darf nicht in der Zukunft liegen."
    )
    assert "form.declaration_truthful" in errors


async def test_a_body_that_is_not_an_object_or_has_unknown_fields(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    response = await post(client, [1, 2, 3])
    assert response.status_code == 422
    response = await post(client, {**gewerbeanmeldung(), "hacker": True})
    assert response.status_code == 422
    assert errors_by_field(response) == {"hacker": "Dieses Feld ist unbekannt."}


async def test_unknown_town_and_procedure_are_404_with_a_clear_message(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    response = await client.post(
        "/api/v1/towns/99999999/procedures/gewerbeanmeldung/applications", json=gewerbeanmeldung()
    )
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "Die Gemeinde mit dem Schlüssel 99999999 ist kein Mitglied der RathausCloud."
    )
    response = await client.post(
        f"/api/v1/towns/{WURZEN}/procedures/hundesteuer/applications", json=gewerbeanmeldung()
    )
    assert response.status_code == 404
    assert "bietet das Verfahren „hundesteuer“ nicht online an" in response.json()["detail"]
    response = await client.post(
        "/api/v1/towns/wurzen/procedures/gewerbeanmeldung/applications", json=gewerbeanmeldung()
    )
    assert response.status_code == 422
    assert "ags" in errors_by_field(response)


@pytest.mark.parametrize(
    ("content", "filename", "status", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "nachweis.pdf", 415, "keine"),
        (b"just some text, no PDF", "nachweis.pdf", 415, "erkannt am Inhalt"),
        (b"", "leer.pdf", 422, "Die Datei ist leer."),
        (PDF + b"0" * (5 * 1024 * 1024), "gross.pdf", 413, "Die Datei ist zu groß"),
    ],
)
async def test_bad_files_are_refused_and_nothing_is_kept(
    intake: tuple[httpx.AsyncClient, str],
    content: bytes,
    filename: str,
    status: int,
    message: str,
) -> None:
    client, _ = intake
    key = f"file-{secrets.token_hex(4)}"
    response = await upload(client, WURZEN, "gewerbeanmeldung", key, content, filename)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    # Nothing of it can be named in a submission afterwards.
    body = gewerbeanmeldung(attachments=["0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"])
    refused = await post(client, body, headers={"Idempotency-Key": key})
    assert refused.status_code == 422
    assert "attachments.0" in errors_by_field(refused)


async def test_a_file_is_typed_by_its_content_and_named_for_display_only(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    key = f"file-{secrets.token_hex(4)}"
    stored = await upload(client, WURZEN, "gewerbeanmeldung", key, PDF, "../../etc/passwd")
    assert stored.status_code == 201, stored.text
    assert stored.json()["filename"] == "passwd"
    assert stored.json()["content_type"] == "application/pdf"
    assert stored.json()["size"] == len(PDF)
    body = gewerbeanmeldung(attachments=[stored.json()["attachment_id"]])
    accepted = await post(client, body, headers={"Idempotency-Key": key})
    assert accepted.status_code == 201, accepted.text
    # A file of another application cannot be borrowed.
    other = await post(client, body, headers={"Idempotency-Key": key + "-other"})
    assert other.status_code == 422
    # Files need the application's key.
    assert (await post(client, body)).status_code == 422


async def test_reusing_an_idempotency_key_for_other_content_is_a_conflict(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    first = await post(client, gewerbeanmeldung(), headers={"Idempotency-Key": "k-409"})
    again = await post(client, gewerbeanmeldung(), headers={"Idempotency-Key": "k-409"})
    other = await post(
        client,
        gewerbeanmeldung(form__business__activity="Hausmeisterdienste"),
        headers={"Idempotency-Key": "k-409"},
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first.json()["application_id"] == again.json()["application_id"]
    assert "anderen Angaben" in other.json()["detail"]


async def test_without_an_idempotency_key_the_same_body_twice_is_two_applications(
    intake: tuple[httpx.AsyncClient, str], nats_url: str
) -> None:
    """A citizen may apply twice on purpose; only the key says "this is a retry"."""
    client, namespace = intake
    before = await stored_applications(nats_url, namespace)
    body = gewerbeanmeldung(form__business__trade_name="Zweimal")
    first, second = await post(client, body), await post(client, body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["application_id"] != second.json()["application_id"]
    assert await stored_applications(nats_url, namespace) == before + 2


async def test_a_wrong_tracking_token_reveals_nothing(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    accepted = (await post(client, gewerbeanmeldung(form__business__trade_name="Token"))).json()
    response = await client.get(
        f"/api/v1/applications/{accepted['application_id']}", params={"token": "0" * 32}
    )
    assert response.status_code == 404
    assert response.json()["title"] == "Antrag nicht gefunden."


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"null",
        b"\xff\xfe",
        b'{"form": null}',
        b'{"form": {"applicant": 5}}',
        b'{"form": {}, "attachments": "x"}',
        b'{"form": {}, "attachments": [null]}',
        b"[" * 10_000,
        b'{"form": {"applicant": {"birth_date": "2024-02-30"}}}',
    ],
)
async def test_garbage_never_causes_a_500(
    intake: tuple[httpx.AsyncClient, str], garbage: bytes
) -> None:
    client, _ = intake
    response = await client.post(
        APPLY, content=garbage, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["title"]


async def test_intake_alone_is_ready_and_says_which_sources_it_awaits(
    intake: tuple[httpx.AsyncClient, str], operator_token: str
) -> None:
    """Services must not depend on their start order: a missing source stream is no fault."""
    client, namespace = intake
    operator = {"Authorization": f"Bearer {operator_token}"}  # /readyz's details
    report = (await client.get("/readyz", headers=operator)).json()
    assert report["ready"] is True
    awaiting = {name for name, s in report["projections"].items() if s["awaiting_source"]}
    casework = Namespace(namespace).stream(Service.CASEWORK)
    assert f"tracking<-{casework}" in awaiting
    intake_stream = Namespace(namespace).stream(Service.INTAKE)
    assert not any(name.endswith(f"<-{intake_stream}") for name in awaiting)


@pytest.mark.parametrize(
    ("raw_value", "field"),
    [
        ('"Muster\\u0000"', "form.applicant.family_name"),
        ('"Web\\ud800design"', "form.business.activity"),
    ],
)
async def test_control_characters_and_broken_unicode_are_refused_by_field(
    intake: tuple[httpx.AsyncClient, str], nats_url: str, raw_value: str, field: str
) -> None:
    """Such text would pass the form, then fail in PostgreSQL or in UTF-8, out of sight."""
    client, namespace = intake
    before = await stored_applications(nats_url, namespace)
    body = json.dumps(gewerbeanmeldung(**{field.replace(".", "__"): "PLACEHOLDER"}))
    body = body.replace('"PLACEHOLDER"', raw_value)
    response = await client.post(
        APPLY, content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert "Steuerzeichen" in error["message"]
    assert await stored_applications(nats_url, namespace) == before


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("applicant__family_name", "Muster\nBitte klicken Sie hier", "ohne Zeilenumbruch"),
        ("applicant__given_names", "Erika\u2028Anna", "ohne Zeilenumbruch"),
        ("applicant__family_name", "www.wurzen-amt.example", "nur Buchstaben"),
        ("applicant__given_names", "https://evil.example/x", "nur Buchstaben"),
        ("applicant__family_name", "Ernst 2", "nur Buchstaben"),
        ("business__trade_name", "Betrieb\r\nBcc: x@example.org", "ohne Zeilenumbruch"),
        ("business__address__street", "Markt 1\nZweite Zeile", "ohne Zeilenumbruch"),
    ],
)
async def test_names_and_single_line_fields_refuse_line_breaks_and_addresses(
    intake: tuple[httpx.AsyncClient, str], path: str, value: str, message: str
) -> None:
    """Names end up in the greeting of an official mail: no second line, no web address."""
    client, _ = intake
    response = await post(client, gewerbeanmeldung(**{f"form__{path}": value}))
    assert response.status_code == 422, response.text
    field = "form." + path.replace("__", ".")
    assert message in errors_by_field(response)[field]


async def test_names_of_many_kinds_are_welcome(intake: tuple[httpx.AsyncClient, str]) -> None:
    client, _ = intake
    for family, given in (
        ("O'Neil-Müller", "Zoë Ångström"),
        ("Nguyễn", "Dr. Thị"),
        ("Łukasz", "Ö"),
    ):
        body = gewerbeanmeldung(form__applicant__family_name=family)
        body["form"]["applicant"]["given_names"] = given
        response = await post(client, body)
        assert response.status_code == 201, response.text


async def test_a_town_page_may_call_for_its_town_and_a_foreign_page_is_refused(
    intake: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = intake
    wurzen = {"Origin": "https://www.wurzen.de"}
    preflight = await client.options(
        APPLY, headers={**wurzen, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://www.wurzen.de"
    assert "Idempotency-Key" in preflight.headers["access-control-allow-headers"]
    accepted = await post(client, gewerbeanmeldung(), headers=wurzen)
    assert accepted.status_code == 201
    assert accepted.headers["access-control-allow-origin"] == "https://www.wurzen.de"
    status = await client.get(accepted.json()["status_url"], headers=wurzen)
    assert status.headers["access-control-allow-origin"] == "https://www.wurzen.de"
    # Another town's page, and a page of no town: refused before anything happens.
    for origin in ("https://www.stadt-brandis.de", "https://evil.example"):
        foreign = await post(client, gewerbeanmeldung(), headers={"Origin": origin})
        assert foreign.status_code == 403
        assert "nicht freigegeben" in foreign.json()["detail"]
        # The refusal is readable there (the widget says "nicht freigegeben" in German),
        # and no more: it carries no credentials.
        assert foreign.headers["access-control-allow-origin"] == origin
        assert "access-control-allow-credentials" not in foreign.headers
        tracking = await client.get(accepted.json()["status_url"], headers={"Origin": origin})
        assert tracking.status_code == 403
    for answer in (accepted, await client.get("/api/v1/towns")):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["referrer-policy"] == "no-referrer"
