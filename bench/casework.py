"""Benchmark of the clerks' desk (casework): automation, clerks at work, the queue at 10,000
and at 1,000,000 cases, the desk's pages.

Starts its own durable embedded NATS (``sync_interval: always``) and PostgreSQL (fsync on), an
SMTP sink, the development OpenID issuer and the five services as processes, then:

1. **Automation rate** — submits ``--applications`` applications of the mix below through
   intake (HTTP, ``--concurrency`` clients), waits until casework's desk read model shows every
   case opened, and counts per procedure: decided automatically, prepared for a clerk's
   confirmation, referred to a clerk (with the rules that failed), next to what the mix expects.
   Then it waits until every service's projections stand still (billing, archive, notify and
   the decision letters catch up), so that what follows is measured on an idle suite.
2. **Claims and decisions** — ``--clerks`` clerks of several towns (tokens minted by the issuer)
   work the referred cases through the JSON API for ``--work-seconds``: queue page → claim →
   read the case → (overrule) → decide or confirm (``bench/desk/clerks.py``); throughput and
   each command's p50/p99, and how long the suite needed afterwards for what the decisions set
   off (letters, fees, files, mails).
3. **Queue at ~10,000 cases, through the real projection path** — the read model as the
   submissions, the automation and the clerks left it; every query shape of
   ``bench/desk/queue_shapes.py`` for the town with the most open cases and the one with the
   fewest, over HTTP and in the database; the slowest one explained.
4. **Pages** — the desk's home, queue and case page over HTTP with a session signed in at the
   issuer's login form (``bench/desk/pages.py``); a page that is not there yet is reported as
   not measurable, never estimated.
5. **Queue at 1,000,000 cases, bulk-loaded into the read model** (``bench/desk/bulk_load.py``,
   ``--bulk-total``), then the shapes and the pages again.

It prints progress, a headline and writes ``bench/results/casework-latest.json`` with peak
memory (casework's VmHWM, PostgreSQL's summed PSS), and per phase how busy the machine was
with other work. ``--quick`` runs everything small (about three minutes).

The application mix (``bench/desk/mix.py``)
-------------------------------------------
Applications come from the 18 member towns in proportion to their inhabitants (Markkleeberg
25,000 … Ellefeld 2,700; 157,000 together) times a yearly rate per 1,000 inhabitants, for the
procedures a town offers. The rates are order-of-magnitude assumptions: trade notices after
the Gewerbeanzeigenstatistik (about 700,000 registrations and 600,000 cessations a year in
Germany, a little less per head in Saxony): Anmeldung 7, Ummeldung 2.5, Abmeldung 6.5; dog tax
registration 9 and deregistration 8 (roughly one dog per eight inhabitants, kept about ten
years, plus moves); defect reports 12 (towns with an online Mängelmelder see 10–20); resident
parking 5 (towns with a zone only), traffic orders 5, special use 4 (the nine towns that
offer them). The 18 towns together send about 8,700 applications a year, so 10,000 is about
14 months of them; 1,000,000 is not their volume but that of a state-wide installation.

Share of all applications and what fails a rule (the rest passes every rule):

- Mängelmelder 21.6 %, Hundesteuer-Anmeldung 16.2 %, -Abmeldung 14.4 %, Verkehrsrechtliche
  Anordnung 6.7 % (10 % of them urgent), Sondernutzungserlaubnis 6.0 %: always a clerk
  (no automated decision exists for them); 3 % of the defect reports lie in a neighbouring
  member town (routed there), 1 % of the dogs are of a listed breed (a certificate attached).
- Gewerbeanmeldung 12.6 %: 9 % a permit-requiring trade (Gaststätte about half, §§ 34a–34i,
  33i), 3 % a craft trade not yet in the Handwerksrolle, 2 % a non-EU nationality without a
  title allowing self-employment (another 8 % with one: they pass), 1 % a business address in
  another town; 85 % pass. Minors are refused by intake already (online only for adults).
- Gewerbeabmeldung 11.7 %: 1 % a business address in another town; 99 % pass.
- Bewohnerparkausweis 6.4 %: 8 % an address outside the zone, 8 % a company car, 4 % a leased
  car, 3 % someone else's car (these three with the permission document for a clerk), 2 % a
  vehicle applied for within the year already; 75 % pass.
- Gewerbeummeldung 4.5 %: 20 % the activity extended, 10 % changed (a clerk checks for a
  permit), 1 % moved out of town; 69 % pass (relocated in town, or the activity restricted).

Thallwitz and Lossatal let the check only prepare trade notices (``automation = "prepare"``),
the other towns decide them and resident parking fully (§35a VwVfG). Expected from the mix:
28.5 % of all applications decided automatically (81 % of the four automatable procedures'),
1.6 % prepared for confirmation, the rest referred.

    python -m bench.casework [--applications 10000] [--clerks 8] [--work-seconds 60]
                             [--bulk-total 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiosmtpd.controller import Controller

from bench.desk import bulk_load, clerks, pages, queue_shapes, submissions
from bench.desk.machine import Load, MemorySampler, peak_rss_mb
from bench.desk.mix import member_towns, plan
from bench.skeleton import when_and_where
from contracts.calendar import today
from devstack.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from tests.support.desk import clerk_token, desk_client
from tests.support.issuer import DevIssuer, running_issuer
from tests.support.suite import SERVICES, Suite

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TOKEN_SECONDS = 6 * 3600
QUICK = {
    "applications": 400,
    "clerks": 4,
    "work_seconds": 15.0,
    "samples": 20,
    "page_samples": 10,
    "bulk_total": 50_000,
}
STARTED = time.monotonic()


def say(text: str) -> None:
    """Progress, with the seconds since the start."""
    print(f"[{time.monotonic() - STARTED:6.0f} s] {text}", flush=True)


class MailCounter:
    """SMTP handler: accepts every mail (notify's acknowledgements and letters) and counts."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received += 1
        return "250 OK"


def minter(issuer: DevIssuer) -> queue_shapes.Minter:
    """Clerk tokens that stay valid for the whole run."""

    def mint(town: str, subject: str, procedures: tuple[str, ...]) -> str:
        return issuer.mint(
            sub=subject,
            name="Bench Clerk",
            roles=["clerk"],
            ags=town,
            procedures=list(procedures),
            exp=int(time.time()) + TOKEN_SECONDS,
        )

    return mint


async def settle(suite: Suite, timeout: float = 900) -> float:
    """Wait until no projection of any service moves for three seconds; the seconds waited."""
    started, last, still = time.monotonic(), -1, 0
    headers = suite.operator_headers()
    async with httpx.AsyncClient(timeout=10, headers=headers) as client:
        while still < 3 and time.monotonic() - started < timeout:
            seen = 0
            for name in suite.processes:
                report = (await client.get(f"{suite.url(name)}/readyz")).json()
                seen += sum(r["last_seq"] or 0 for r in report.get("projections", {}).values())
                seen += (report.get("outbox") or {}).get("pending", 0)
            still = still + 1 if seen == last else 0
            last = seen
            await asyncio.sleep(1)
    return round(time.monotonic() - started - 3, 1)


async def automation(args: argparse.Namespace, suite: Suite, db: asyncpg.Connection) -> Any:
    """Phase 1: the mix through intake, until every case is opened; the tally."""
    towns = member_towns()
    planned = plan(args.applications, towns, args.seed)
    say(f"submitting {len(planned)} applications with {args.concurrency} clients …")
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=60, limits=limits) as web:
        while len((await web.get("/api/v1/towns")).json()) < len(towns):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        started = time.monotonic()
        done, posting = await submissions.submit_all(web, planned, args.concurrency, say)
    ids = [s.application_id for s in done]
    opened = await submissions.wait_opened(db, ids, timeout=3600, progress=say)
    tally = await submissions.tally(db, done)
    seconds = opened - started
    return {
        "applications": len(done),
        "concurrency": args.concurrency,
        "posts_per_second": round(len(done) / posting, 1),
        "opened_per_second": round(len(done) / seconds, 1),
        "seconds_until_all_opened": round(seconds, 1),
    }, tally


async def clerks_at_work(args: argparse.Namespace, suite: Suite, issuer: DevIssuer) -> Any:
    """Phase 2: clerks claim and decide through the API."""
    seats = [clerks.SEATS[i % len(clerks.SEATS)] for i in range(args.clerks)]
    say(f"{len(seats)} clerks at work for {args.work_seconds:g} s …")
    work = clerks.Work()
    exp = int(time.time()) + TOKEN_SECONDS
    desks = [desk_client(suite, clerk_token(issuer, s.town, s.name, exp=exp)) for s in seats]
    started = time.monotonic()
    try:
        await asyncio.gather(
            *(
                clerks.clerk_loop(desk, work, started + args.work_seconds, clerks.rng_for(i))
                for i, desk in enumerate(desks)
            )
        )
    finally:
        for desk in desks:
            await desk.aclose()
    seconds = (work.finished_at or time.monotonic()) - started
    return clerks.summary_of(work, seconds, seats)


async def queue_at(
    label: str, args: argparse.Namespace, suite: Suite, issuer: DevIssuer, db: asyncpg.Connection
) -> dict[str, Any]:
    """Phases 3 and 5: the query shapes of the biggest and the smallest town's queue."""
    towns = {t.ags: t for t in member_towns()}
    open_rows = await db.fetch(
        "SELECT town, count(*) FILTER (WHERE is_open) AS n FROM rm_desk_cases.queue"
        " GROUP BY town ORDER BY n DESC, town"
    )
    busy = [row["town"] for row in open_rows if row["n"] > 0]
    chosen = [busy[0], busy[-1]]
    say(f"queue at {label}: {', '.join(towns[a].name for a in chosen)} …")
    measured = []
    async with httpx.AsyncClient(base_url=suite.url("casework"), timeout=60) as http:
        measurer = queue_shapes.Measurer(http, db, minter(issuer), args.samples, say)
        for ags in chosen:
            probe = await queue_shapes.probe(db, ags, towns[ags].name)
            measured.append(await measurer.town(probe, today()))
    return {
        "cases": await db.fetchval("SELECT count(*) FROM rm_desk_cases.cases"),
        "queue_rows": await db.fetchval("SELECT count(*) FROM rm_desk_cases.queue"),
        "towns": measured,
    }


async def pages_at(
    args: argparse.Namespace, suite: Suite, issuer: DevIssuer, case: tuple[str, str] | None
) -> dict[str, Any]:
    """Phase 4: the desk's pages, signed in as the demo clerk of Wurzen."""
    say("desk pages …")
    token = minter(issuer)("14729410", "bench.pages@14729410", ("*",))
    paths = (args.queue_page, args.case_page)
    return await pages.measure_pages(suite.url("casework"), token, paths, args.page_samples, case)


async def real_case(db: asyncpg.Connection) -> tuple[str, str] | None:
    """A case of Wurzen's queue that went through the suite (it has its events), open if any."""
    row = await db.fetchrow(
        "SELECT c.case_id, c.case_number FROM rm_desk_cases.queue q JOIN rm_desk_cases.cases c"
        " USING (case_id) WHERE q.town = '14729410'"
        " ORDER BY NOT q.is_open, q.rank, q.due, q.case_id LIMIT 1"
    )
    return (str(row["case_id"]), row["case_number"]) if row else None


async def wurzen_cases(db: asyncpg.Connection) -> list[tuple[str, str]]:
    """Every case in Wurzen's queue that went through the suite (for the page sweep)."""
    rows = await db.fetch(
        "SELECT DISTINCT c.case_id, c.case_number FROM rm_desk_cases.queue q"
        " JOIN rm_desk_cases.cases c USING (case_id) WHERE q.town = '14729410'"
    )
    return [(str(row["case_id"]), row["case_number"]) for row in rows]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="rathaus-bench-casework-"))
    say(f"servers in {workdir}")
    nats_server = EmbeddedNats(workdir / "nats", port=0, sync_always=not args.volatile).start()
    pg = EmbeddedPostgres(workdir / "pg", port=0).start(fsync=not args.volatile)
    mails = MailCounter()
    sink = Controller(mails, hostname="127.0.0.1", port=free_port())
    sink.start()
    admin = await asyncpg.connect(pg.url)
    for name in SERVICES:
        await admin.execute(f'CREATE DATABASE "rathaus_{name}"')
    await admin.close()
    surroundings = ExitStack()
    issuer = surroundings.enter_context(running_issuer(workdir / "issuer"))
    suite = Suite(
        nats_url=nats_server.url,
        database_urls={n: pg.url_for(f"rathaus_{n}") for n in SERVICES},
        smtp_port=sink.port,
        workdir=workdir,
        extra_env={"RATHAUS_LOG_LEVEL": "warning"},
        issuer_url=issuer.url,
    )
    postgres = MemorySampler(pg.process.pid)  # type: ignore[union-attr]
    postgres.start()
    result: dict[str, Any] = {"load": {}}
    try:
        say("starting the five services …")
        suite.start()
        # As casework's own pool connects (runtime.database): without JIT.
        db = await asyncpg.connect(suite.database_urls["casework"], server_settings={"jit": "off"})
        parts = {name: p.process.pid for name, p in suite.processes.items()}
        parts["nats-server"] = nats_server.process.pid  # type: ignore[union-attr]
        parts["postgres"] = pg.process.pid  # type: ignore[union-attr]
        phase = Load(parts)
        result["submission"], result["automation"] = await automation(args, suite, db)
        say("waiting until the rest of the suite has caught up …")
        result["submission"]["suite_idle_seconds_after_all_opened"] = await settle(suite)
        result["load"]["submission"] = phase.report()
        phase = Load(parts)
        result["clerks"] = await clerks_at_work(args, suite, issuer)
        result["load"]["clerks"] = phase.report()
        say("waiting until the suite has done what the decisions set off …")
        result["clerks"]["suite_idle_seconds_after_the_last_decision"] = await settle(suite)
        phase = Load(parts)
        result["queue_10k"] = {
            "how": "real projection path: the applications above, submitted over HTTP",
            **await queue_at("~10,000 cases", args, suite, issuer, db),
        }
        case = await real_case(db)
        result["pages_10k"] = await pages_at(args, suite, issuer, case)
        say("every case page of Wurzen's queue once …")
        result["pages_10k"]["case_sweep"] = await pages.sweep(
            suite.url("casework"), await wurzen_cases(db)
        )
        result["load"]["queue_10k"] = phase.report()
        if args.bulk_total:
            say(f"bulk-loading the read model up to {args.bulk_total:,} cases …")
            result["bulk_load"] = await bulk_load.load(
                db, member_towns(), args.bulk_total, args.open_share
            )
            phase = Load(parts)
            result["queue_1m"] = {
                "how": "bulk-loaded into the read model (INSERT … SELECT generate_series)",
                **await queue_at(f"{args.bulk_total:,} cases", args, suite, issuer, db),
            }
            result["pages_1m"] = await pages_at(args, suite, issuer, case)
            result["load"]["queue_1m"] = phase.report()
        await db.close()
        memory = {name: peak_rss_mb(p.process.pid) for name, p in suite.processes.items()}
        memory["nats-server"] = peak_rss_mb(nats_server.process.pid)  # type: ignore[union-attr]
        memory["postgres (all, PSS)"] = round(postgres.peak_pss_mb, 1)
        memory["postgres (all, RSS summed)"] = round(postgres.peak_rss_mb, 1)
        result["peak_memory_mb"] = memory
        result["mails_received"] = mails.received
    finally:
        postgres.stop()
        suite.stop()
        surroundings.close()
        sink.stop()
        pg.stop()
        nats_server.stop()
    return {
        "benchmark": "clerks' desk: automation, claims and decisions, queue at 10k and 1M, pages",
        **when_and_where(args.volatile),
        "settings": {k: v for k, v in vars(args).items() if k != "quick"},
        **result,
    }


def _queue_lines(label: str, measured: dict[str, Any]) -> list[str]:
    lines = []
    for town in measured["towns"]:
        shapes = {s["shape"]: s for s in town["shapes"]}
        first, worst = shapes["first page"], max(town["shapes"], key=lambda s: s["http"]["p99_ms"])
        lines.append(
            f"queue at {label}, {town['town']} ({town['open_cases_in_queue']:,} open):"
            f" first page p50 {first['http']['p50_ms']} ms p99 {first['http']['p99_ms']} ms;"
            f" slowest shape '{worst['shape']}' p50 {worst['http']['p50_ms']} ms"
            f" p99 {worst['http']['p99_ms']} ms (database p99 {worst['db']['p99_ms']} ms)"
        )
    return lines


def _page_line(label: str, measured: dict[str, Any]) -> str:
    parts = []
    for name, page in measured.items():
        if name == "case_sweep":
            parts.append(
                f"every case page of Wurzen's queue: {page['cases']} answered {page['answers']}"
                + (f", failed: {', '.join(page['failed'])}" if page["failed"] else "")
            )
        elif page["measurable"]:
            parts.append(f"{name} p50 {page['p50_ms']} ms p99 {page['p99_ms']} ms")
        else:
            parts.append(f"{name} not yet measurable ({page['why']})")
    return f"pages at {label}: " + "; ".join(parts)


def headline(result: dict[str, Any]) -> str:
    """The figures that matter, in a few lines."""
    auto, sub, work = result["automation"], result["submission"], result["clerks"]
    per = ", ".join(
        f"{p} {c['automation_rate'] * 100:.0f} %"
        for p, c in auto["per_procedure"].items()
        if c["automatic"] or c["prepared"]
    )
    lat = work["latency"]
    lines = [
        f"automation: {auto['all']['automation_rate'] * 100:.1f} % of {auto['cases']} cases"
        f" decided automatically ({auto['automatable_procedures']['automation_rate'] * 100:.0f} %"
        f" of the automatable procedures: {per}),"
        f" {auto['all']['prepared_rate'] * 100:.1f} % prepared for confirmation",
        f"submission: {sub['applications']} applications, all opened after"
        f" {sub['seconds_until_all_opened']} s ({sub['opened_per_second']}/s), the suite idle"
        f" {sub['suite_idle_seconds_after_all_opened']} s later",
        f"clerks ({len(work['clerks'])}): {work['claims_per_second']} claims/s,"
        f" {work['decisions_per_second']} decisions/s ({work['claim_conflicts_409']} lost races);"
        + "; ".join(
            f" {c} p50 {lat[c]['p50_ms']} p99 {lat[c]['p99_ms']} ms"
            for c in ("claim", "decide", "confirm", "overrule")
            if c in lat
        )
        + f"; their effects done {work['suite_idle_seconds_after_the_last_decision']} s after",
        *_queue_lines("~10,000 (real projection path)", result["queue_10k"]),
        _page_line("~10,000", result["pages_10k"]),
    ]
    if "queue_1m" in result:
        lines += _queue_lines(
            f"{result['bulk_load']['cases_after']:,} (bulk-loaded)", result["queue_1m"]
        )
        lines.append(_page_line(f"{result['bulk_load']['cases_after']:,}", result["pages_1m"]))
    memory = result["peak_memory_mb"]
    lines.append(
        f"peak memory: casework {memory['casework']} MB, PostgreSQL"
        f" {memory['postgres (all, PSS)']} MB (PSS of all its processes)"
    )
    other = ", ".join(f"{k} {v['other_work_share'] * 100:.0f} %" for k, v in result["load"].items())
    lines.append(f"other work on the machine (share of both cores): {other}")
    busy = ", ".join(
        f"{k} {v['cpu_of_one_core'].get('casework', 0) * 100:.0f} %"
        for k, v in result["load"].items()
    )
    lines.append(f"casework's CPU (share of one core): {busy}")
    return "\n".join(lines)


def slowest_plans(result: dict[str, Any]) -> str:
    """The explained plans (the slowest shape of each town, and every slow one)."""
    out = []
    for key in ("queue_10k", "queue_1m"):
        for town in result.get(key, {}).get("towns", []):
            for shape, plan_text in town["plans"].items():
                out.append(f"--- {key}, {town['town']}: {shape}\n{plan_text}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.casework",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32, help="clients submitting")
    parser.add_argument("--clerks", type=int, default=8)
    parser.add_argument("--work-seconds", type=float, default=60.0)
    parser.add_argument("--samples", type=int, default=200, help="requests per query shape")
    parser.add_argument("--page-samples", type=int, default=50)
    parser.add_argument("--bulk-total", type=int, default=1_000_000, help="0: no bulk load")
    parser.add_argument("--open-share", type=float, default=0.10, help="of the bulk-loaded")
    parser.add_argument("--queue-page", default=pages.QUEUE_PAGE)
    parser.add_argument("--case-page", default=pages.CASE_PAGE, help="with {case_id}")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--volatile", action="store_true", help="no fsync (NATS, PostgreSQL)")
    parser.add_argument("--quick", action="store_true", help="everything small (~3 minutes)")
    parser.add_argument("--out", type=Path, default=RESULTS / "casework-latest.json")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    result = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(slowest_plans(result))
    print(headline(result))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
