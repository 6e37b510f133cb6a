"""Who may read and change which case at the desk: a matrix of towns × roles × every desk
endpoint, against the running suite and its real issuer.

The endpoints are not listed here: casework's own route table names every route under
``/api/v1/desk/``, so a new one is in the matrix by itself. For each identity and route the
test knows the answer the rules give — entitled (the clerk's town processes the case and the
procedure is theirs), not entitled (404, its existence is not theirs to know), or a role or
town they lack (403) — and every bad token gets 401. Commands carry a version the case never
had, so an entitled command is refused as stale (409) after every check passed: the matrix
runs without changing anything, and the test proves that at the end.

The desk's pages get the same matrix: the same identities, signed in by a session cookie
sealed with the suite's secret, on every page and form of casework's route table — and no
page a clerk may open shows the case number of a case outside their entitlement.

The three tests share one running suite, each on cases of its own; the matrices take casework's
sequence once the module's other cases stopped moving.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import nats
from joserfc.jwk import RSAKey

from contracts.calendar import today
from contracts.naming import Namespace, Service
from tests.support.applications import example, gewerbeanmeldung
from tests.support.desk import (
    AUGUSTUSBURG,
    THALLWITZ,
    WURZEN,
    case_when,
    clerk_token,
    desk_client,
    submitted,
)
from tests.support.desk_pages import PageClient, clerk_identity
from tests.support.issuer import DevIssuer, claims_of, unsigned, with_claims
from tests.support.routes import all_routes
from tests.support.suite import Suite

DESK = "/api/v1/desk/"
NEVER = 999_999
"""A case version no case in this test reaches: entitled commands end as stale (409)."""


@dataclass(frozen=True)
class Who:
    """An identity of the matrix."""

    name: str
    towns: tuple[str, ...]
    roles: tuple[str, ...]
    procedures: tuple[str, ...] = ("*",)

    @property
    def desk(self) -> bool:
        return bool({"clerk", "supervisor"} & set(self.roles)) and bool(self.towns)

    @property
    def supervisor(self) -> bool:
        return "supervisor" in self.roles and bool(self.towns)

    @property
    def operator(self) -> bool:
        return "operator" in self.roles

    def sees(self, processing: tuple[str, ...], procedure: str) -> bool:
        procedures_ok = "*" in self.procedures or procedure in self.procedures
        return self.desk and procedures_ok and bool(set(self.towns) & set(processing))


PEOPLE = (
    Who("Wurzen clerk", (WURZEN,), ("clerk",)),
    Who("Wurzen supervisor", (WURZEN,), ("clerk", "supervisor")),
    Who("Wurzen dog-tax clerk", (WURZEN,), ("clerk",), ("hundesteuer-anmeldung",)),
    Who("Augustusburg clerk", (AUGUSTUSBURG,), ("clerk",)),
    Who("Augustusburg supervisor", (AUGUSTUSBURG,), ("clerk", "supervisor")),
    Who("Thallwitz clerk", (THALLWITZ,), ("clerk",)),
    Who("a citizen's account", (WURZEN,), ()),
    Who("an operator", (), ("operator",)),
)


@dataclass(frozen=True)
class Case:
    """A case of the matrix: who processes it."""

    case_id: UUID
    competent: str
    processing: tuple[str, ...]
    procedure: str = "gewerbeanmeldung"


def expected(who: Who, method: str, path: str, case: Case) -> int:
    """The status the rules give ``who`` on a route (for commands: 409 = got through)."""
    if path.startswith(f"{DESK}delegations/"):
        return 200 if who.operator or (who.supervisor and WURZEN in who.towns) else 403
    if path.endswith("/move"):
        if not (who.supervisor or who.operator):
            return 403
        return 409 if who.operator or case.competent in who.towns else 404
    if not who.desk:
        return 403
    if path.startswith(f"{DESK}cases/"):
        if path.endswith("/reassign") and not who.supervisor:
            return 403
        if not who.sees(case.processing, case.procedure):
            return 404
        return {"GET": 200}.get(method, 409) if "/files/" not in path else 404
    # queue, counts, clerks: of the clerk's own town
    return 200


def body_for(path: str, method: str) -> dict[str, Any] | None:
    """A body each command accepts, carrying a version no case has."""
    if method == "GET":
        return None
    due = (today() + timedelta(days=14)).isoformat()
    command = path.rsplit("/", 1)[1]
    stale = {"expected_version": NEVER}
    bodies: dict[str, dict[str, Any]] = {
        "reassign": {"to": {"id": "x", "name": "X", "town": WURZEN}, "reason": "Urlaub"},
        "request-information": {"question": "Bitte Erlaubnis vorlegen.", "due": due},
        "hearings": {"body": "polizei", "subject": "Sperrung"},
        "answer": {"verdict": "zustimmung"},
        "overrule": {"rule": "no_permit_requiring_trade", "reason": "Erlaubnis liegt vor."},
        "decide": {"outcome": "rejected", "reasons": ["Keine Erlaubnis."]},
        "status-report": {"status": "in_bearbeitung"},
        "move": {"processing_towns": [AUGUSTUSBURG], "reason": "Vereinbarung"},
    }
    if path.startswith(f"{DESK}delegations/"):
        return {"processing_towns": [AUGUSTUSBURG]}  # as agreed already: nothing changes
    return {**bodies.get(command, {}), **stale}


def concrete(path: str, case: Case) -> str:
    values = {
        "case_id": str(case.case_id),
        "hearing_id": "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f99",
        "name": "bescheid",
        "town": WURZEN,
        "procedure": "gewerbeanmeldung",
    }
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: values[m.group(1)], path)


def desk_routes() -> list[tuple[str, str]]:
    """Every desk route of casework's application (method, path template)."""
    listed = all_routes(("casework",), {**os.environ, "RATHAUS_ENVIRONMENT": "test"})
    found = [
        (method, route["path"])
        for route in listed["casework"]
        if route["path"].startswith(DESK)
        for method in route["methods"]
        if method != "HEAD"
    ]
    assert all(route["signed_in"] for route in listed["casework"] if route["path"].startswith(DESK))
    assert len(found) >= 17, found
    return sorted(found)


async def casework_seq(suite: Suite, ns: Namespace) -> int:
    nc = await nats.connect(suite.nats_url)
    try:
        info = await nc.jetstream().stream_info(ns.stream(Service.CASEWORK))
        return int(info.state.last_seq)
    finally:
        await nc.close()


async def settled_casework_seq(suite: Suite, ns: Namespace) -> int:
    """casework's last sequence once it stood still for a second: the module's other tests'
    cases, opened a moment ago, must not look like a change the matrix made."""
    seq = await casework_seq(suite, ns)
    for _ in range(30):
        await asyncio.sleep(1.0)
        last, seq = seq, await casework_seq(suite, ns)
        if seq == last:
            break
    return seq


def token_of(issuer: DevIssuer, who: Who) -> str:
    if who.operator:
        return issuer.client_token()
    return clerk_token(
        issuer,
        who.towns[0],
        who.name.replace("'", ""),
        roles=who.roles,
        procedures=who.procedures,
        subject=who.name.lower().replace(" ", "-"),
    )


async def test_every_desk_endpoint_answers_each_town_and_role_as_the_rules_say(
    shared_suite: Suite, issuer: DevIssuer
) -> None:
    wurzen_id = await submitted(
        shared_suite,
        WURZEN,
        "gewerbeanmeldung",
        gewerbeanmeldung(form__business__regulated_activities=["34a"]),
        "matrix-wurzen",
    )
    thallwitz_id = await submitted(
        shared_suite, THALLWITZ, "gewerbeanmeldung", example("gewerbeanmeldung"), "matrix-thallwitz"
    )
    cases = (
        Case(wurzen_id, WURZEN, (WURZEN, AUGUSTUSBURG)),
        Case(thallwitz_id, THALLWITZ, (THALLWITZ,)),
    )
    async with desk_client(shared_suite, clerk_token(issuer, THALLWITZ, "T")) as thallwitz:
        await case_when(thallwitz, thallwitz_id, "queued")
    async with desk_client(shared_suite, clerk_token(issuer, WURZEN, "W")) as wurzen:
        await case_when(wurzen, wurzen_id, "queued")
    routes = desk_routes()
    ns = Namespace(shared_suite.namespace)
    before = await settled_casework_seq(shared_suite, ns)

    wrong: list[tuple[str, str, str, int, int, str]] = []
    async with httpx.AsyncClient(base_url=shared_suite.url("casework"), timeout=30) as client:
        for who in PEOPLE:
            headers = {"Authorization": f"Bearer {token_of(issuer, who)}"}
            for case in cases:
                for method, template in routes:
                    if "{case_id}" not in template and case is not cases[0]:
                        continue  # a town's routes: once is enough
                    path = concrete(template, case)
                    answer = await client.request(
                        method, path, json=body_for(template, method), headers=headers
                    )
                    want = expected(who, method, template, case)
                    got = answer.status_code
                    if got != want or (want == 409 and "inzwischen" not in answer.text):
                        wrong.append((who.name, method, path, want, got, answer.text[:160]))
                    if (
                        want == 404
                        and "/files/" in template
                        and who.sees(case.processing, case.procedure)
                    ):
                        assert answer.json()["title"] == "Datei nicht gefunden."
    assert not wrong, "\n".join(map(str, wrong))
    assert await casework_seq(shared_suite, ns) == before, "a call of the matrix changed a case"


async def test_no_bad_token_opens_a_desk_endpoint(shared_suite: Suite, issuer: DevIssuer) -> None:
    case_id = await submitted(
        shared_suite,
        WURZEN,
        "gewerbeanmeldung",
        gewerbeanmeldung(form__business__regulated_activities=["34a"]),
        "bad-tokens",
    )
    clerk = clerk_token(issuer, THALLWITZ, "Thea Thalheim")
    now = int(time.time())
    real = issuer.signing_key()
    forged: dict[str, str | None] = {
        "no token": None,
        "expired": clerk_token(issuer, WURZEN, "W", iat=now - 900, exp=now - 300),
        "another key, same kid": issuer.mint(
            key=RSAKey.generate_key(2048, parameters={"kid": str(real.kid)}),
            roles=["clerk"],
            ags=WURZEN,
            procedures=["*"],
        ),
        "a foreign issuer": issuer.mint(
            key=RSAKey.generate_key(2048, parameters={"kid": "fremd"}),
            iss="http://127.0.0.1:9/fremd",
            roles=["clerk"],
            ags=WURZEN,
            procedures=["*"],
        ),
        "another audience": clerk_token(issuer, WURZEN, "W", aud="some-other-api"),
        "alg none": unsigned({**claims_of(clerk), "ags": WURZEN}),
        "a tampered town": with_claims(clerk, ags=WURZEN),
        "a tampered role": with_claims(clerk, roles=["clerk", "supervisor"], ags=WURZEN),
    }
    case = Case(case_id, WURZEN, (WURZEN, AUGUSTUSBURG))
    wrong = []
    async with httpx.AsyncClient(base_url=shared_suite.url("casework"), timeout=30) as client:
        for kind, token in forged.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            for method, template in desk_routes():
                answer = await client.request(
                    method,
                    concrete(template, case),
                    json=body_for(template, method),
                    headers=headers,
                )
                if answer.status_code != 401 or not answer.headers.get(
                    "WWW-Authenticate", ""
                ).startswith("Bearer"):
                    wrong.append((kind, method, template, answer.status_code))
    assert not wrong, wrong


# --- the desk's pages: the same identities, signed in by session ---------------------------

PAGES = "/desk/"


def page_routes() -> list[tuple[str, str]]:
    """Every casework desk page needing a session (method, path template)."""
    listed = all_routes(("casework",), {**os.environ, "RATHAUS_ENVIRONMENT": "test"})
    found = [
        (method, route["path"])
        for route in listed["casework"]
        if route["desk"] and route["desk_signed_in"] and route["path"].startswith(PAGES)
        for method in route["methods"]
        if method != "HEAD"
    ]
    assert len(found) >= 16, found
    return sorted(found)


def expected_page(who: Who, method: str, path: str, case: Case) -> int:
    """The status the rules give ``who`` on a page (for forms: 409 = got through, stale)."""
    if path == PAGES:
        return 200
    if path == "/desk/delegationen":
        if not (who.supervisor and WURZEN in who.towns):
            return 403
        return 200 if method == "GET" else 303  # Wurzen's, as agreed already
    if not who.desk:
        return 403
    if path == "/desk/vorgaenge":
        return 200
    if path.endswith(("/verschieben", "/zuweisen")) and not who.supervisor:
        return 403
    if path.endswith("/verschieben"):
        return 409 if case.competent in who.towns else 404
    if not who.sees(case.processing, case.procedure):
        return 404
    if method == "GET":
        return 404 if "/dateien/" in path else 200
    return 409


def page_form(path: str, clerk_id: str) -> dict[str, Any]:
    """A form each page's command accepts, carrying a version no case has."""
    due = (today() + timedelta(days=14)).isoformat()
    forms: dict[str, dict[str, Any]] = {
        "zuweisen": {"an": clerk_id, "grund": "Urlaub"},
        "rueckfrage": {"frage": "Bitte Erlaubnis vorlegen.", "frist": due},
        "anhoerungen": {"stelle": "polizei", "gegenstand": "Sperrung"},
        "antwort": {"votum": "zustimmung"},
        "ueberstimmen": {"regel": "no_permit_requiring_trade", "grund": "Erlaubnis liegt vor."},
        "entscheiden": {"ergebnis": "rejected", "gruende": "Keine Erlaubnis."},
        "sachstand": {"stand": "in_bearbeitung"},
        "verschieben": {"gemeinden": [AUGUSTUSBURG], "grund": "Vereinbarung"},
        "delegationen": {"gemeinde": WURZEN, "verfahren": "gewerbeanmeldung"},
    }
    if path == "/desk/delegationen":  # as agreed already: nothing changes
        return {**forms["delegationen"], "gemeinden": [AUGUSTUSBURG]}
    return {**forms.get(path.rsplit("/", 1)[1], {}), "version": str(NEVER)}


async def first_clerk(desk: httpx.AsyncClient, timeout: float = 30.0) -> str:
    """The id of a clerk the desk has seen — once its read model has caught up with the claim
    (the case itself is read from the log, the clerk list from a projection)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        clerks = (await desk.get("/api/v1/desk/clerks")).json()
        if clerks:
            return str(clerks[0]["id"])
        assert asyncio.get_running_loop().time() < deadline, "the desk never listed a clerk"
        await asyncio.sleep(0.1)


async def test_every_desk_page_shows_and_changes_only_what_each_town_and_role_may(
    shared_suite: Suite, issuer: DevIssuer
) -> None:
    wurzen_id = await submitted(
        shared_suite,
        WURZEN,
        "gewerbeanmeldung",
        gewerbeanmeldung(form__business__regulated_activities=["34a"]),
        "pages-wurzen",
    )
    thallwitz_id = await submitted(
        shared_suite, THALLWITZ, "gewerbeanmeldung", example("gewerbeanmeldung"), "pages-thallwitz"
    )
    cases = (
        Case(wurzen_id, WURZEN, (WURZEN, AUGUSTUSBURG)),
        Case(thallwitz_id, THALLWITZ, (THALLWITZ,)),
    )
    numbers: dict[UUID, str] = {}
    async with desk_client(shared_suite, clerk_token(issuer, THALLWITZ, "T")) as thallwitz:
        numbers[thallwitz_id] = (await case_when(thallwitz, thallwitz_id, "queued"))["case_number"]
    # Wurzen's clerk claims its case: the desk knows a clerk a supervisor may assign to.
    async with desk_client(shared_suite, clerk_token(issuer, WURZEN, "W")) as wurzen:
        numbers[wurzen_id] = (await case_when(wurzen, wurzen_id, "queued"))["case_number"]
        assert (await wurzen.post(f"/api/v1/desk/cases/{wurzen_id}/claim")).status_code == 200
        await case_when(wurzen, wurzen_id, "in_review")
        clerk_id = await first_clerk(wurzen)
    routes = page_routes()
    ns = Namespace(shared_suite.namespace)
    before = await settled_casework_seq(shared_suite, ns)

    wrong: list[tuple[str, str, str, int, int, str]] = []
    for who in PEOPLE:
        identity = clerk_identity(
            who.towns[0] if who.towns else "",
            who.name.replace("'", ""),
            roles=who.roles,
            procedures=who.procedures,
            subject=who.name.lower().replace(" ", "-"),
        )
        async with PageClient(shared_suite, identity) as client:
            for case in cases:
                for method, template in routes:
                    if "{case_id}" not in template and case is not cases[0]:
                        continue  # a town's pages: once is enough
                    path = concrete(template, case)
                    if method == "GET":
                        params = {"gemeinde": WURZEN} if "delegationen" in path else {}
                        answer = await client.get(path, **params)
                    else:
                        answer = await client.post_form(path, page_form(template, clerk_id))
                    want, got = expected_page(who, method, template, case), answer.status_code
                    hidden = [n for c, n in numbers.items() if not _sees(who, cases, c)]
                    leaked = [n for n in hidden if n in answer.text]
                    seen = who.sees(case.processing, case.procedure)
                    if got != want or leaked or not _says_why(want, template, seen, answer.text):
                        wrong.append((who.name, method, path, want, got, str(leaked)))
                    if want == 200 and template == "/desk/vorgaenge/{case_id}":
                        assert numbers[case.case_id] in answer.text  # the test can see a leak
    assert not wrong, "\n".join(map(str, wrong))
    assert await casework_seq(shared_suite, ns) == before, "a page of the matrix changed a case"


def _sees(who: Who, cases: tuple[Case, ...], case_id: UUID) -> bool:
    case = next(c for c in cases if c.case_id == case_id)
    return who.sees(case.processing, case.procedure)


def _says_why(status: int, template: str, seen: bool, text: str) -> bool:
    """A refusal says what it is: stale (got through every check), no such case (or none of
    theirs), no such file (of a case of theirs), or a role or town they lack."""
    if status == 409:
        return "inzwischen geändert" in text
    if status == 404:
        file = "/dateien/" in template and seen
        return ("Datei nicht gefunden" if file else "Vorgang nicht gefunden") in text
    if status == 403:
        return "Keine Berechtigung" in text
    return True
