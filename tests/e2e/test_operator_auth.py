"""Operators sign in: every endpoint that changes state or shows personal data lets in only an
operator with a valid token of the installation's issuer — and refusing changes nothing.

The endpoints are not listed here: each service's own route table says which routes need a
signed-in caller, and every other route must be declared public below, with the reason, so
a new route cannot slip through unprotected unnoticed. Against the running suite, the real
issuer (``devstack/issuer``), NATS and PostgreSQL.

The clerks' desk (``runtime.desk``: ``/desk/…``, ``/auth/callback``) is for browsers: its
pages want a session cookie, never a bearer token, and are not in the OpenAPI. Every desk
route must need a desk session or be declared public in ``PUBLIC_DESK``; with only an
operator's token, a desk page still sends the browser to sign in.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import nats
import pytest
from joserfc.jwk import RSAKey

from contracts.envelope import Headers
from contracts.naming import Namespace, Service
from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.issuer import DevIssuer, claims_of, unsigned, with_claims
from tests.support.routes import all_routes
from tests.support.suite import SERVICES, Suite

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"
OPERATOR_ACTOR = "operator:rathaus-operator"
PUBLIC_FILES = {
    "*": ("/openapi.json", "/docs", "/docs/assets/"),  # API docs: RATHAUS_API_DOCS, off in prod.
    "intake": ("/widget/",),  # the embeddable widget's own files (script, manifest)
}
"""GET-only prefixes of files anyone may fetch."""

PUBLIC: dict[tuple[str, str, str], str] = {
    ("*", "GET", "/healthz"): "liveness probe, says nothing but 'ok'",
    ("*", "GET", "/readyz"): "readiness probe: without an operator's token only {ready}",
    ("intake", "GET", "/api/v1/towns"): "the public catalogue",
    ("billing", "POST", "/api/v1/payments"): (
        "a citizen pays a Kassenzeichen online without an account (only its open amount)"
    ),
    ("billing", "POST", "/api/v1/payments/callback/{provider}"): (
        "the payment provider's callback, signed with the town's key (HMAC), not a token"
    ),
    ("billing", "GET", "/api/v1/payments/{payment_id}"): (
        "a payment's state, behind its unguessable id (where the provider sends the citizen)"
    ),
    ("intake", "GET", "/api/v1/towns/{ags}/procedures"): "the public catalogue",
    ("intake", "GET", "/api/v1/towns/{ags}/procedures/{procedure}/form"): "the public form",
    ("intake", "POST", "/api/v1/towns/{ags}/procedures/{procedure}/applications"): (
        "citizens apply without an account"
    ),
    ("intake", "POST", "/api/v1/towns/{ags}/procedures/{procedure}/form/check"): (
        "the widget checks a form as a submission would; nothing is stored"
    ),
    ("intake", "POST", "/api/v1/towns/{ags}/procedures/{procedure}/attachments"): (
        "citizens upload their application's attachments without an account"
    ),
    ("intake", "GET", "/api/v1/applications/{application_id}"): (
        "the applicant's own status, behind the signed tracking token of their link"
    ),
    ("intake", "GET", "/antraege/{application_id:path}"): "the same as a page, same token",
    ("intake", "POST", "/api/v1/applications/{application_id}/attachments"): (
        "a file for the applicant's answer or objection, behind the tracking token"
    ),
    ("intake", "POST", "/api/v1/applications/{application_id}/information/{request_id}"): (
        "the applicant answers a clerk's question, behind the tracking token"
    ),
    ("intake", "POST", "/api/v1/applications/{application_id}/withdrawal"): (
        "the applicant withdraws, behind the tracking token"
    ),
    ("intake", "POST", "/api/v1/applications/{application_id}/objection"): (
        "the applicant objects to the decision, behind the tracking token"
    ),
    ("intake", "GET", "/api/v1/applications/{application_id}/decision-document"): (
        "the applicant's decision letter, behind the tracking token"
    ),
    ("intake", "GET", "/antraege/{application_id}/bescheid"): "the same letter from the page",
    ("intake", "GET", "/antraege/{application_id}/ruecknahme"): (
        "the page asking before a withdrawal, same token"
    ),
    ("intake", "POST", "/antraege/{application_id}/ruecknahme"): "the page's withdrawal",
    ("intake", "POST", "/antraege/{application_id}/rueckfragen/{request_id}"): (
        "the page's answer to a question, same token"
    ),
    ("intake", "POST", "/antraege/{application_id}/widerspruch"): "the page's objection",
    ("billing", "POST", "/api/v1/einvoices"): (
        "suppliers send e-invoices without an account (size and rate limited)"
    ),
    ("billing", "GET", "/api/v1/einvoices/{invoice_id}/report"): (
        "the check's report, behind the invoice's unguessable id the supplier was given"
    ),
    ("billing", "GET", "/rechnungseingang"): "the suppliers' upload page",
    ("billing", "POST", "/rechnungseingang"): "the upload page's form (no session, no CSRF)",
    ("billing", "GET", "/api/v1/fees/{case_id}"): (
        "a case's amount and cash reference, no personal data, by an unguessable case id"
    ),
    ("billing", "GET", "/api/v1/towns/{ags}/fee-schedule"): "a town's published fees",
    ("archive", "GET", "/api/v1/files/{case_id}"): (
        "hashes and the file reference of a filed case, no personal data"
    ),
    ("archive", "GET", "/api/v1/chain-heads/key"): (
        "the public key the daily chain heads are signed with: made to be published"
    ),
    ("archive", "GET", "/api/v1/towns/{town}/chain-heads/{day}"): (
        "a town's signed chain head of a day: file count and a hash, no personal data"
    ),
    ("archive", "GET", "/akte/{case_id}"): (
        "the applicant's file inspection, behind their tracking token (checked by its digest)"
    ),
    ("archive", "GET", "/akte/{case_id}/dokumente/{name}"): (
        "a document of the applicant's file, behind the same token"
    ),
    ("casework", "GET", "/anhoerung/{case_id}/{hearing_id}"): (
        "a heard body's page, behind the random token of its invitation's link"
    ),
    ("casework", "POST", "/anhoerung/{case_id}/{hearing_id}"): (
        "a heard body's answer, behind the same token (sent in the form)"
    ),
}
"""Routes anyone may call, and why. Everything else must need a signed-in caller."""

PUBLIC_DESK: dict[tuple[str, str], str] = {
    ("GET", "/desk/anmelden"): "signing in: a redirect to the issuer",
    ("GET", "/auth/callback"): "the issuer's answer; only a sign-in this browser started counts",
    ("POST", "/desk/abmelden"): "signing out needs no session (but the same origin)",
    ("GET", "/desk/abgemeldet"): "„Sie sind abgemeldet“",
}
"""Desk routes without a session, and why (every desk service serves them)."""

DESK = ("/api/v1/desk/",)
"""The clerks' desk: for clerks and supervisors of entitled towns, not for operators (except
delegations and moves); ``tests/e2e/test_desk_access.py`` proves who may call them."""


TOWN_STAFF = {
    ("billing", "/api/v1/claims/{cash_reference}"),
    ("billing", "/api/v1/towns/{town}/claims"),
    ("billing", "/api/v1/towns/{town}/clarifications"),
    ("billing", "/api/v1/towns/{town}/clarifications/{item_id}"),
    ("billing", "/api/v1/towns/{town}/enforcement"),
    ("billing", "/api/v1/towns/{town}/dogs"),
    ("billing", "/api/v1/towns/{town}/einvoices"),
    *(
        ("billing", f"/api/v1/towns/{{town}}/einvoices/{path}")
        for path in (
            "{invoice_id}/approval",
            "{invoice_id}/factual-approval",
            "{invoice_id}/payment-order",
            "{invoice_id}/countersignature",
            "{invoice_id}/rejection",
            "payment-file",
            "payment-files",
            "payment-files/{file_id}",
        )
    ),
    ("archive", "/api/v1/files/{case_id}/inspection"),
    ("archive", "/api/v1/files/{case_id}/inspection/documents/{name}"),
}
"""billing's routes for a town's clerks as well (its claims, unclear money, the enforcement
list, the dog register, the incoming invoices — also a delegate town's — and their approval
and payment files), only for their own town's data; ``tests/e2e/test_statement_import.py``
proves it for the claims and the clarification queue (another town's clerk: 404),
``tests/e2e/test_invoice_approval.py`` for the invoices' approval and payment routes.
archive's file inspection for the clerks of the towns entitled to the case
(``tests/e2e/test_file_inspection.py``: another town's clerk gets 403)."""


def is_public(service: str, method: str, path: str) -> bool:
    prefixes = PUBLIC_FILES["*"] + PUBLIC_FILES.get(service, ())
    if method in ("GET", "HEAD") and path.startswith(prefixes):
        return True
    return (service, method, path) in PUBLIC or ("*", method, path) in PUBLIC


Route = tuple[str, str, str]  # service, method, path


def protected_routes(routes: dict[str, list[dict[str, Any]]]) -> list[Route]:
    """The routes needing a signed-in caller; fails on any route neither protected nor public."""
    protected, undeclared = [], []
    for service, listed in routes.items():
        for route in listed:
            if route["desk"]:
                continue  # a browser route: desk_routes
            for method in set(route["methods"]) - {"HEAD"}:
                key = (service, method, route["path"])
                if route["signed_in"] and route["path"].startswith(DESK):
                    continue
                if route["signed_in"] and (service, route["path"]) in TOWN_STAFF:
                    continue
                if route["signed_in"]:
                    protected.append(key)
                elif not is_public(*key):
                    undeclared.append(key)
    assert not undeclared, f"neither protected nor declared public: {undeclared}"
    return sorted(protected)


def desk_routes(routes: dict[str, list[dict[str, Any]]]) -> list[Route]:
    """The desk routes needing a session; fails on a desk route neither that nor public, and
    on a route under the desk's paths that is no desk route (it would lack the CSRF check)."""
    protected, undeclared = [], []
    for service, listed in routes.items():
        for route in listed:
            path = route["path"]
            if path.startswith(("/desk/", "/auth/")):
                assert route["desk"], f"{service} {path}: not a DeskRoute (desk_router)"
            if not route["desk"]:
                continue
            assert not route["in_schema"], f"{service} {path}: a browser route, not in the API"
            assert not route["signed_in"], f"{service} {path}: a desk route takes no bearer token"
            for method in set(route["methods"]) - {"HEAD"}:
                if route["desk_signed_in"]:
                    protected.append((service, method, path))
                elif (method, path) not in PUBLIC_DESK and not path.startswith("/desk/static/"):
                    undeclared.append((service, method, path))
    assert not undeclared, f"desk routes neither needing a session nor public: {undeclared}"
    return sorted(protected)


async def refuses_without_session(suite: Suite, route: Route, token: str) -> None:
    """A desk route called with an operator's bearer token but no session is not served."""
    service, method, path = route
    path = re.sub(r"\{[^}]+\}", "0", path)
    headers = {"Authorization": f"Bearer {token}", "Origin": suite.url(service)}
    async with httpx.AsyncClient(base_url=suite.url(service), timeout=10) as client:
        answer = await client.request(method, path, headers=headers)
    if method == "GET":
        assert answer.status_code == 303, (route, answer.status_code)
        assert answer.headers["location"].startswith("/desk/anmelden?ziel="), route
    else:
        assert answer.status_code == 401, (route, answer.status_code)
        assert "Anmeldung erforderlich" in answer.text, route


async def filed_application(client: httpx.AsyncClient) -> UUID:
    """Submit the example and wait until it is filed and its acknowledgement sent."""
    accepted = (await client.post(APPLY, json=gewerbeanmeldung())).json()
    deadline = time.monotonic() + 60
    while True:
        status = (await client.get(accepted["status_url"])).json()
        steps = {line["step"] for line in status.get("timeline", [])}
        if {"filed", "message:acknowledgement"} <= steps:
            return UUID(accepted["application_id"])
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.2)


async def unknown_commit_in_every_stream(nats_url: str, ns: Namespace) -> None:
    """A commit of an event type no service knows, on a fresh aggregate of each stream.

    Every projection reading the stream keeps it as a dead letter: each service gets some.
    """
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for service in Service:
            stream = ns.stream(service)
            last = await js.get_msg(stream, (await js.stream_info(stream)).state.last_seq)
            subject = f"{str(last.subject).rsplit('.', 1)[0]}.{uuid4()}"  # a fresh aggregate
            headers = {
                Headers.EVENT_TYPES: "test.NobodyKnowsThis/1",
                Headers.TENANT: WURZEN,
                Headers.MSG_ID: str(uuid4()),
            }
            await js.publish(subject, b'{"unreadable": true}', headers=headers)
    finally:
        await nc.close()


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.2)


async def fetch(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def state_of(suite: Suite, nats_url: str, ns: Namespace) -> dict[str, Any]:
    """What an operator command could change: streams, dead letters, messages, read models."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        streams = {s.value: (await js.stream_info(ns.stream(s))).state.last_seq for s in Service}
    finally:
        await nc.close()
    state: dict[str, Any] = {"streams": streams}
    for name in SERVICES:
        url = suite.database_urls[name]
        state[name] = {
            "dead letters": await fetch(
                url,
                "SELECT id, attempts, resolved_at, resolved_by FROM rc_dead_letters ORDER BY id",
            ),
            # A rebuild swaps a read model's schema for a new one.
            "schemas": await fetch(
                url, "SELECT nspname, oid FROM pg_namespace WHERE nspname LIKE 'rm\\_%' ORDER BY 1"
            ),
        }
    state["messages"] = await fetch(
        suite.database_urls["notify"], "SELECT message_id, status FROM rm_outbox.outbox ORDER BY 1"
    )
    return state


async def settled_state(suite: Suite, nats_url: str, ns: Namespace) -> dict[str, Any]:
    """The state once the projections have caught up (two looks two seconds apart agree)."""
    deadline = time.monotonic() + 45
    state = await state_of(suite, nats_url, ns)
    while True:
        await asyncio.sleep(2.0)
        again = await state_of(suite, nats_url, ns)
        if again == state:
            return state
        assert time.monotonic() < deadline, "the suite does not settle"
        state = again


def request_for(
    route: Route, values: dict[str, Any], document: dict[str, Any]
) -> tuple[str, str, Any]:
    """Method, path with real ids filled in, and a JSON body (if the route takes one).

    Known parameters get real values; the body carries the required fields this test knows
    (the others are left out: the operator's call then gets a 422, the refused calls fail
    on the token before the body is looked at).
    """
    service, method, path = route
    for name, value in values[service].items():
        path = path.replace("{" + name + "}", str(value))
    path = re.sub(r"\{[^}]+\}", "0", path)  # a parameter this test does not know
    operation = document["paths"][route[2]][method.lower()]
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:  # a file (a bank statement's XML) is sent as no body
        ref = content["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        samples = {"case_id": str(values[service].get("case_id")), "reason": "Test der Anmeldung"}
        body = {name: samples[name] for name in schema.get("required", []) if name in samples}
    return method, path, body


async def call(
    suite: Suite, route: Route, values: dict[str, Any], documents: dict[str, Any], token: str | None
) -> httpx.Response:
    method, path, body = request_for(route, values, documents[route[0]])
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with httpx.AsyncClient(base_url=suite.url(route[0]), timeout=60) as client:
        return await client.request(method, path, json=body, headers=headers)


def bad_tokens(issuer: DevIssuer, clerk: str) -> dict[str, tuple[str | None, int]]:
    """Every kind of token that must not open an operator endpoint, and the answer it gets."""
    now = int(time.time())
    real = issuer.signing_key()
    same_kid = RSAKey.generate_key(2048, parameters={"kid": str(real.kid)})
    foreign = RSAKey.generate_key(2048, parameters={"kid": "fremd"})
    return {
        "no token": (None, 401),
        "expired": (issuer.mint(iat=now - 900, exp=now - 300), 401),
        "another key, same kid": (issuer.mint(key=same_kid), 401),
        "a foreign issuer": (issuer.mint(key=foreign, iss="http://127.0.0.1:9/fremd"), 401),
        "another audience": (issuer.mint(aud="some-other-api"), 401),
        "alg none": (unsigned(claims_of(issuer.client_token())), 401),
        "tampered roles": (with_claims(clerk, roles=["operator"]), 401),
        "no operator role": (clerk, 403),
    }


@pytest.mark.timeout(240)
async def test_only_operators_pass_and_refusals_change_nothing(
    suite: Suite, issuer: DevIssuer, operator_token: str, nats_url: str, namespace: str
) -> None:
    ns = Namespace(namespace)
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
        case_id = await filed_application(client)
    await unknown_commit_in_every_stream(nats_url, ns)

    async def every_service_has_a_dead_letter() -> bool:
        for name in SERVICES:
            if not await fetch(suite.database_urls[name], "SELECT 1 FROM rc_dead_letters"):
                return False
        return True

    async def its_letter_and_fee_notice_are_out() -> bool:
        # Documents render in the services' worker processes, at lower priority: the state
        # may look settled for a second while a letter is still being laid out.
        rows = await fetch(
            suite.database_urls["notify"],
            "SELECT 1 FROM rm_outbox.outbox WHERE template IN ('decision', 'fee_notice')",
        )
        return len(rows) == 2

    async def every_message_is_sent() -> bool:
        # The forwardings to the authorities go out after the filing; archive files each
        # delivery as an addendum — background work the refused calls must not be blamed for.
        rows = await fetch(
            suite.database_urls["notify"],
            "SELECT 1 FROM rm_outbox.outbox WHERE status = 'pending'",
        )
        return not rows

    await until(every_service_has_a_dead_letter)
    await until(its_letter_and_fee_notice_are_out)
    await until(every_message_is_sent)
    before = await settled_state(suite, nats_url, ns)
    message_id = (
        await fetch(suite.database_urls["notify"], "SELECT message_id FROM rm_outbox.outbox")
    )[0]["message_id"]
    listed = all_routes(SERVICES, {**os.environ, "RATHAUS_ENVIRONMENT": "test"})
    routes = protected_routes(listed)
    pages = desk_routes(listed)
    assert ("casework", "GET", "/desk/") in pages
    assert ("archive", "GET", "/desk/akten/{case_id}") in pages  # the clerks' e-file
    for page in pages:
        await refuses_without_session(suite, page, operator_token)
    documents, values = {}, {}
    auth = {"Authorization": f"Bearer {operator_token}"}
    for name in SERVICES:
        async with httpx.AsyncClient(base_url=suite.url(name), headers=auth) as client:
            documents[name] = (await client.get("/openapi.json")).json()
            projections = (await client.get("/ops/v1/projections")).json()
        letter = await fetch(suite.database_urls[name], "SELECT min(id) AS id FROM rc_dead_letters")
        values[name] = {
            "ags": WURZEN,
            "case_id": case_id,
            "message_id": message_id,
            "dead_letter_id": letter[0]["id"],
            # a read model where the service has one (a reaction's rebuild is refused anyway)
            "name": min(projections, key=lambda p: p["kind"] != "read model")["name"],
        }
    for service, method, path in routes:  # the OpenAPI says so too (Swagger's lock, 401/403)
        operation = documents[service]["paths"][path][method.lower()]
        assert operation.get("security"), (service, method, path)
        assert {"401", "403"} <= operation["responses"].keys(), (service, method, path)

    clerk = issuer.sign_in("augustusburg.sachbearbeitung")["access_token"]
    for kind, (token, status) in bad_tokens(issuer, clerk).items():
        for route in routes:
            answer = await call(suite, route, values, documents, token)
            assert answer.status_code == status, (kind, route, answer.text)
            body = answer.json()
            assert body["title"] in ("Anmeldung erforderlich.", "Keine Berechtigung."), body
            if status == 401:
                assert answer.headers["WWW-Authenticate"].startswith("Bearer "), kind
    assert await state_of(suite, nats_url, ns) == before, "a refused call changed something"

    # A rebuild meets the unreadable commit again and reopens its dead letter: rebuild first.
    for route in sorted(routes, key=lambda r: not r[2].endswith("/rebuild")):
        answer = await call(suite, route, values, documents, operator_token)
        # 415/422: the body this test does not know how to fill (a file route: no body at all)
        assert answer.status_code in (200, 201, 202, 204, 404, 409, 415, 422), (route, answer.text)

    # Who did it is on the record: the erasure event's actor, the dismissal's resolved_by.
    erased = await erasure_events(nats_url, ns, case_id)
    assert [(e["meta"]["actor"], e["data"]["reason"]) for e in erased] == [
        (OPERATOR_ACTOR, "Test der Anmeldung")
    ]
    for name in SERVICES:
        dismissed = await fetch(
            suite.database_urls[name],
            "SELECT resolved_by, reason FROM rc_dead_letters WHERE resolution = 'dismissed'",
        )
        assert [tuple(row) for row in dismissed] == [(OPERATOR_ACTOR, "Test der Anmeldung")], name


async def erasure_events(nats_url: str, ns: Namespace, case_id: UUID) -> list[dict[str, Any]]:
    """The PersonalDataErased events of the case, as stored (their meta is not encrypted)."""
    from contracts.envelope import Commit
    from tests.support.inspection import stream_messages

    nc = await nats.connect(nats_url)
    try:
        found = []
        for msg in await stream_messages(nc.jetstream(), ns.stream(Service.ARCHIVE)):
            if "archive.PersonalDataErased" not in (msg.headers or {}).get(Headers.EVENT_TYPES, ""):
                continue
            for event in Commit.model_validate_json(msg.data).events:
                if event.meta.type == "archive.PersonalDataErased" and str(case_id) in str(
                    event.data
                ):
                    found.append(event.model_dump(mode="json"))
        return found
    finally:
        await nc.close()


async def test_readiness_details_are_for_operators_only(
    start_alone: Callable[[str], Awaitable[Suite]], issuer: DevIssuer, operator_token: str
) -> None:
    billing = await start_alone("billing")
    clerk = issuer.sign_in("wurzen.sachbearbeitung")["access_token"]
    async with httpx.AsyncClient(base_url=billing.url("billing")) as client:
        for token in (None, clerk, "kein-token", issuer.mint(exp=int(time.time()) - 600)):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            answer = await client.get("/readyz", headers=headers)
            assert (answer.status_code, answer.json()) == (200, {"ready": True}), token
        full = await client.get("/readyz", headers={"Authorization": f"Bearer {operator_token}"})
        assert full.status_code == 200
        assert {
            "nats",
            "database",
            "projections",
            "open_dead_letters",
            "outbox",
        } <= full.json().keys()


async def test_the_api_docs_come_from_the_service_and_can_be_switched_off(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    issuer: DevIssuer,
    tmp_path: Path,
) -> None:
    def suite_of(name: str, database: str, **env: str) -> Suite:
        return Suite(
            nats_url=nats_url,
            database_urls={name: database},
            smtp_port=1,
            workdir=tmp_path,
            namespace=namespace,
            issuer_url=issuer.url,
            extra_env=env,
        )

    on = suite_of("billing", await new_database()).start(("billing",))
    off = suite_of("notify", await new_database(), RATHAUS_API_DOCS="false")
    try:
        off.start(("notify",))
        async with httpx.AsyncClient(base_url=on.url("billing")) as client:
            page = await client.get("/docs")
            assert page.status_code == 200
            assert "http" not in page.text  # no CDN, nothing from elsewhere
            for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
                served = await client.get(f"/docs/assets/{asset}")
                assert served.status_code == 200, asset
                assert len(served.content) > 10_000, asset
                assert f"/docs/assets/{asset}" in page.text
        async with httpx.AsyncClient(base_url=off.url("notify")) as client:
            assert (await client.get("/docs")).status_code == 404
            assert (await client.get("/openapi.json")).status_code == 404
    finally:
        on.stop()
        off.stop()
