"""The clerks' pages over HTTP with a signed-in session: how long a page takes to render.

A clerk signs in as a browser does — ``/desk/anmelden`` on casework, the issuer's login form
(a demo user of ``devstack/issuer/demo.toml``), back to ``/auth/callback`` — and keeps the
session cookie. Each page is then asked ``samples`` times one after the other; the time is
from the request to the last byte of the HTML. A page counts as there only when it answers
200 *and* shows what it must (the queue page a case number of the clerk's queue, the case
page the case's number); anything else is reported as not yet measurable, with the answer.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.skeleton import summary

HOME = "/desk/"
QUEUE_PAGE = "/desk/vorgaenge"
CASE_PAGE = "/desk/vorgaenge/{case_id}"
"""Where the queue and the case page are expected (``--queue-page``, ``--case-page``)."""
DEMO_CLERK = "wurzen.sachbearbeitung"
"""A demo user of the development issuer: Wenzel Wurzner, clerk in Wurzen."""


async def signed_in(casework: str, username: str = DEMO_CLERK) -> httpx.AsyncClient:
    """A client holding a desk session, signed in through the issuer's login form."""
    client = httpx.AsyncClient(timeout=30)
    try:
        start = await client.get(f"{casework}/desk/anmelden", params={"ziel": HOME})
        if start.status_code != 303:
            raise RuntimeError(f"/desk/anmelden answered {start.status_code}: {start.text[:200]}")
        form = {"username": username, "password": username}
        login = await client.post(start.headers["location"], data=form)
        if login.status_code not in (302, 303):
            raise RuntimeError(f"the login form answered {login.status_code}: {login.text[:200]}")
        back = await client.get(login.headers["location"])
        if back.status_code != 303:
            raise RuntimeError(f"/auth/callback answered {back.status_code}: {back.text[:200]}")
    except BaseException:
        await client.aclose()
        raise
    return client


async def render_times(
    client: httpx.AsyncClient, url: str, must_show: str | None, samples: int
) -> dict[str, Any]:
    """The page's render time, or why it cannot be measured (yet)."""
    first = await client.get(url)
    if first.status_code != 200:
        return {"measurable": False, "why": f"GET {url} answered {first.status_code}"}
    if must_show and must_show not in first.text:
        return {"measurable": False, "why": f"GET {url} answered 200 without {must_show}"}
    took = []
    for _ in range(samples):
        started = time.monotonic()
        answer = await client.get(url)
        took.append(time.monotonic() - started)
        if answer.status_code != 200:
            return {"measurable": False, "why": f"GET {url} answered {answer.status_code} later"}
    return {"measurable": True, "bytes": len(first.content), **summary(took)}


async def measure_pages(
    casework: str,
    api_token: str,
    paths: tuple[str, str],
    samples: int,
    case: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The desk's home, queue and case page of the demo clerk (Wurzen), signed in.

    ``paths``: the queue page's and the case page's (with ``{case_id}``). The case page shows
    ``case`` (id, number) — by default the first of the clerk's queue; a case must have its
    events (a bulk-loaded row has none), so the million-case run passes a real one.
    """
    async with httpx.AsyncClient(
        base_url=casework, headers={"Authorization": f"Bearer {api_token}"}, timeout=30
    ) as api:
        rows = (await api.get("/api/v1/desk/queue")).json()["rows"]
    listed = rows[0]["case_number"] if rows else None
    case = case or ((rows[0]["case_id"], rows[0]["case_number"]) if rows else None)
    client = await signed_in(casework)
    try:
        pages = {"home": await render_times(client, f"{casework}{HOME}", None, samples)}
        pages["queue"] = await render_times(client, f"{casework}{paths[0]}", listed, samples)
        if case is None:
            pages["case"] = {"measurable": False, "why": "the demo clerk's queue is empty"}
        else:
            url = f"{casework}{paths[1].format(case_id=case[0])}"
            pages["case"] = {
                "case_number": case[1],
                **await render_times(client, url, case[1], samples),
            }
    finally:
        await client.aclose()
    return pages


async def sweep(casework: str, cases: list[tuple[str, str]]) -> dict[str, Any]:
    """Every given case's page once, signed in as the demo clerk: which answer what.

    A page that renders for the first case may still fail for a case in another state or of
    another procedure; the sweep is what finds it (the failures are listed by case number).
    """
    client = await signed_in(casework)
    answers: dict[str, int] = {}
    failed: list[str] = []
    try:
        for case_id, number in cases:
            answer = await client.get(f"{casework}{CASE_PAGE.format(case_id=case_id)}")
            answers[str(answer.status_code)] = answers.get(str(answer.status_code), 0) + 1
            if answer.status_code != 200 or number not in answer.text:
                failed.append(f"{number}: {answer.status_code}")
    finally:
        await client.aclose()
    return {"cases": len(cases), "answers": answers, "failed": failed[:50]}
