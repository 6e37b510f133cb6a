"""Benchmark of billing: fee notices per second, a camt.053 of 10,000 entries, the dog tax of
100,000 dogs, incoming e-invoices checked per second.

Seven parts, each selectable with ``--only`` (comma-separated; all by default):

``notices``
    ``--notices`` fee notices rendered in this process with billing's real code, one after
    the other: ``notices.assembly`` builds each notice from a ``FeeAssessed`` of Wurzen (its
    letterhead and account from ``deploy/members/14729410-wurzen.toml``, the addressee from the
    Gewerbeanmeldung's example form, a Kassenzeichen and amount of its own), ``notices.pdf``
    renders it as PDF/A-3b with its GiroCode (EPC QR). Notices per second, p50/p99 of one
    render (assembly included), the size of a notice and the process's peak RSS. Not in it:
    storing the PDF in the object store and announcing it (billing's ``fee_notices``
    projection does that around ``render``; the skeleton's figure covers the whole path).
``camt``
    The pure import: ``statements.parse_camt`` of one camt.053 with ``--entries`` credits on
    Wurzen's account, then ``statements.reconcile`` against as many open claims; time for
    each, entries matched per second, bookings by how they matched. The mix of the entries
    (by entry number modulo 100): 90 % pay their claim in full naming its Kassenzeichen, 4 %
    pay half of it, 2 % pay 5,00 € too much (a booking and a clarification item for the
    rest), 2 % name no Kassenzeichen but the amount of exactly one open claim (matched by
    amount), 2 % are 7,00 € without any reference (a clarification item) — so 98 % of the
    entries book, 4 % raise a clarification item.
``camt-service``
    The same statement through the running billing service. Starts durable embedded NATS
    (``sync_interval: always``) and PostgreSQL (fsync on), the development issuer and billing
    alone (the import needs nothing else), waits until billing has adopted the member files'
    accounts, then appends one ``billing.FeeAssessed`` per claim to billing's stream directly
    (``runtime.eventstore``, as a connected runtime of billing — what billing's own fee
    assessment appends through its outbox after a decision; casework, intake, archive and
    notify are not involved, and no fee notice is rendered since no case exists for these
    fees) and waits until billing's claims read model shows all of them. Then measured: the
    ``POST /api/v1/statements`` of the file as Wurzen's treasury (a token of the role
    ``treasury`` minted by the issuer) until its answer — parse, reconcile against the claims
    read from the read model, every booking, key and clarification item and their events
    recorded in one transaction; then the time until the outbox has announced every booking
    and the read model shows them (claims settled); then the same file posted again (it
    books nothing). Billing's peak RSS.
``dogtax``
    The annual dog tax of ``--dogs`` dogs for ``--year``, computed in this process with
    ``domain.dog_tax.dog_tax_for_year`` and ``domain.instalments.instalment_plan`` under
    Wurzen's Hundesteuersatzung (its member file, read by ``domain.member_billing``). The dogs
    belong to keepers: 82 % keep one dog, 14 % two, 4 % three (about 82,000 keepers for
    100,000 dogs); 1 % of the dogs are of a listed dangerous breed, 0.5 % exempt (assistance
    dogs), 10 % came during the year and 8 % left during it (part years, counted in full
    months). Keepers per second, dogs per second, p50/p99 per keeper, the total tax and its
    instalments (checked to add up to the cent). This is the pure computation only; the
    service's annual run (the operator command assessing every keeper, with notices and
    events) is measured separately once it exists.

``einvoices``
    Incoming e-invoices checked in this process with ``einvoices.check.check_invoice``: all
    86 invoices of the official XRechnung test suite (45 UBL, 41 CII, ``../shared/data``),
    ``--rounds`` times each, one after the other, every step (input, XML Schema, EN 16931 and
    XRechnung Schematron on Saxon-HE, the data read and its sums). The rules' compilation
    (``warm_up``) is timed apart; then invoices per second for UBL and CII separately and
    together, p50/p99 per invoice, and the process's peak RSS. Not in it: receiving (the API,
    storage, events, routing) — the whole path is ``einvoices-service``.
``einvoices-service``
    End to end, upload to approval queue: durable embedded NATS and PostgreSQL (as
    ``camt-service``), intake (it owns the key bucket and object store the originals are
    sealed into) and billing, its rules compiled at start and no rate limit. ``--invoices``
    copies of the official invoices Wurzen accepts (82 of 86), each with Wurzen's Leitweg-ID
    and an invoice number of its own, are posted to ``POST /api/v1/einvoices``,
    ``--concurrency`` at a time; measured: invoices answered per second and p50/p99 of an
    answer (the whole check in billing's worker, routing, the sealed original and report, the
    event), and per invoice the time from its POST until Wurzen's queue (billing's read model,
    polled every 20 ms) shows it. Billing's and its check worker's peak RSS.

Every part prints its figures; the result, with the shared header (when, machine,
durability — that of ``camt-service``'s servers; the other parts touch none), goes to
``bench/results/billing-latest.json``. ``--quick`` runs every part small (seconds; the unit
test of the benchmark runs it without ``camt-service``).

    python -m bench.billing [--only notices,camt,camt-service,dogtax,einvoices,...]
                            [--notices 300] [--entries 10000] [--dogs 100000] [--rounds 5]
                            [--invoices 500] [--concurrency 4] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import asyncpg
import httpx
import psutil
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from bench.desk.machine import Load, peak_rss_mb
from bench.skeleton import percentile, summary, when_and_where
from contracts.events.billing import FeeAssessed
from contracts.fee_schedules import DogTaxStatute, TownAccount
from contracts.fee_schedules import FeeLine as AssessedLine
from contracts.naming import Service
from devstack.embedded import EmbeddedNats, EmbeddedPostgres
from devstack.examples import example
from runtime.eventstore import Cause
from runtime.ids import new_id
from services.billing.aggregates import fee_ref
from services.billing.domain.dog_tax import KeptDog, dog_tax_for_year
from services.billing.domain.instalments import instalment_plan
from services.billing.domain.member_billing import read_billing
from services.billing.domain.schedule_versions import valid_on
from services.billing.einvoices.artefacts import BESIDE_THE_REPOSITORY
from services.billing.einvoices.check import check_invoice
from services.billing.einvoices.check import warm_up as warm_up_einvoices
from services.billing.notices.assembly import (
    Applicant,
    Decision,
    addressee,
    fee_notice,
    letterhead,
)
from services.billing.notices.notice import Addressee
from services.billing.notices.pdf import render
from services.billing.statements import Claim, parse_camt, reconcile
from tests.support.desk import clerk_token
from tests.support.issuer import running_issuer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite
from tests.unit.services.billing.statements.camt_files import entry, statement

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WURZEN = "14729410"
WURZEN_FILE = ROOT / "deploy" / "members" / "14729410-wurzen.toml"
PARTS = (
    "notices",
    "camt",
    "camt-service",
    "dogtax",
    "dogtax-service",
    "einvoices",
    "einvoices-service",
)
QUICK = {"notices": 5, "entries": 300, "dogs": 2000, "rounds": 1, "invoices": 20}
CENT = Decimal("0.01")
STARTED = time.monotonic()
NAMESPACE = UUID("5b0e6a52-6c8e-4f3c-9d59-7a1a3c1b2e10")
"""Case ids of the benchmark's fees are derived from it, so a run is reproducible."""


def say(text: str) -> None:
    """Progress, with the seconds since the start."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {text}", flush=True)


def reset_peak_rss() -> dict[str, Any]:
    """Start this process's peak RSS (VmHWM) afresh at a part's start (Linux:
    ``/proc/self/clear_refs``), so its peak is not an earlier part's; what earlier parts left
    allocated stays in it (Python keeps freed memory): the RSS at the start tells how much."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return {"peak_rss_reset_at_part_start": False}
    return {"peak_rss_reset_at_part_start": True, "rss_at_part_start_mb": rss_mb()}


def rss_mb() -> float:
    """This process's resident set size now, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def wurzen() -> dict[str, Any]:
    """Wurzen's member file, parsed."""
    return tomllib.loads(WURZEN_FILE.read_text(encoding="utf-8"))


# --- fee notices ------------------------------------------------------------------------------


def assessment(n: int, amount: Decimal, assessed_at: datetime) -> FeeAssessed:
    """The ``n``-th fee of the benchmark, as billing assesses a Gewerbeanmeldung in Wurzen."""
    return FeeAssessed(
        case_id=uuid5(NAMESPACE, f"fee-{n}"),
        procedure="gewerbeanmeldung",
        amount=amount,
        cash_reference=kassenzeichen(n),
        due_date=(assessed_at + timedelta(days=30)).date(),
        assessed_at=assessed_at,
        lines=[
            AssessedLine(
                what="Gewerbeanmeldung",
                quantity=Decimal(1),
                unit="",
                rate=amount,
                subtotal=amount,
            )
        ],
        legal_basis="Verwaltungskostensatzung der Großen Kreisstadt Wurzen, Nr. 4.1.1",
    )


def kassenzeichen(n: int) -> str:
    return f"{WURZEN}-2026-{n:06d}"


def notices(count: int) -> dict[str, Any]:
    """Part ``notices``: assemble and render ``count`` fee notices, one after the other."""
    say(f"rendering {count} fee notices …")
    member = wurzen()
    account = read_billing(member).account
    assert account is not None, "Wurzen's member file names no account"
    town = letterhead(member["town"], "Gewerbeamt", account)
    form = example("gewerbeanmeldung")
    to = addressee(Applicant("gewerbeanmeldung", 1, form["form"], None)) or Addressee("Bench")
    decided = datetime.now(UTC)
    render(_notice(0, town, to, decided))  # warm-up: fonts, QR tables, imports
    peak_resettable = reset_peak_rss()
    times: list[float] = []
    sizes: list[int] = []
    cpu, started = time.process_time(), time.perf_counter()
    for n in range(1, count + 1):
        begun = time.perf_counter()
        pdf = render(_notice(n, town, to, decided))
        times.append(time.perf_counter() - begun)
        sizes.append(len(pdf))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "notices": count,
        "seconds": round(seconds, 2),
        "notices_per_second": round(count / seconds, 1),
        "cpu_ms_per_notice": round(cpu * 1000 / count, 1),
        "per_notice": summary(times),
        "pdf_kb_mean": round(sum(sizes) / len(sizes) / 1024, 1),
        "peak_rss_mb": peak_rss_mb(os.getpid()),
        **peak_resettable,
    }


def _notice(n: int, town: Any, to: Addressee, decided: datetime) -> Any:
    amount = Decimal(26 + n % 50) + Decimal(n % 100) / 100
    return fee_notice(
        assessment(n, amount, decided),
        town=town,
        to=to,
        case_number=f"WUR-2026-{n:06d}",
        decision=Decision(decided_at=decided),
        issued_at=decided,
    )


# --- camt.053 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One claim and the entry of the statement that pays it (or does not)."""

    n: int
    claim_amount: Decimal
    entry_amount: Decimal
    remittance: str
    kind: str


def planned_entries(count: int) -> list[Planned]:
    """The claims and the statement's entries, in the mix the docstring describes."""
    out = []
    for n in range(1, count + 1):
        share, kz = n % 100, kassenzeichen(n)
        amount = Decimal(26 + n % 50) + Decimal(n % 100) / 100
        if share < 90:
            out.append(Planned(n, amount, amount, f"KASSENZEICHEN {kz} GEBUEHR", "full"))
        elif share < 94:
            half = (amount / 2).quantize(CENT)
            out.append(Planned(n, amount, half, f"{kz} erste Rate", "partial"))
        elif share < 96:
            out.append(Planned(n, amount, amount + 5, f"Kassenzeichen {kz}", "over"))
        elif share < 98:  # an amount no other claim has: 500,00 € and up
            unique = Decimal(500 + n // 100) + Decimal(n % 100) / 100
            out.append(Planned(n, unique, unique, "Gebuehr Gewerbe Mustermann", "by_amount"))
        else:
            out.append(Planned(n, amount, Decimal("7.00"), "Spende Stadtfest", "unknown"))
    return out


def camt_file(planned: list[Planned], iban: str) -> bytes:
    """A camt.053 document: one statement of Wurzen's account with every planned entry."""
    entries = (
        entry(f"{p.entry_amount:.2f}", p.remittance, reference=f"BENCH{p.n:010d}") for p in planned
    )
    return statement(*entries, iban=iban, statement_id="2026-11-30-BENCH")


def camt_pure(count: int) -> dict[str, Any]:
    """Part ``camt``: parse and reconcile a statement of ``count`` entries in this process."""
    planned = planned_entries(count)
    iban = _wurzen_iban()
    data = camt_file(planned, iban)
    claims = [Claim(kassenzeichen(p.n), WURZEN, p.claim_amount) for p in planned]
    say(f"camt.053 of {count:,} entries ({len(data) / 2**20:.1f} MB): parse and reconcile …")
    peak_resettable = reset_peak_rss()
    cpu, started = time.process_time(), time.perf_counter()
    statements = parse_camt(data)
    parsed = time.perf_counter()
    result = reconcile(statements, claims, account_towns={iban: WURZEN}, booked=frozenset())
    matched = time.perf_counter()
    seconds, cpu = matched - started, time.process_time() - cpu
    return {
        "entries": count,
        "claims": len(claims),
        "file_mb": round(len(data) / 2**20, 2),
        "parse_seconds": round(parsed - started, 3),
        "reconcile_seconds": round(matched - parsed, 3),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "entries_per_second": round(count / seconds, 1),
        "matches_per_second": round(len(result.bookings) / seconds, 1),
        "reconcile_matches_per_second": round(len(result.bookings) / (matched - parsed), 1),
        **_outcome(planned, result.bookings, result.clarifications, result.skipped),
        "peak_rss_mb": peak_rss_mb(os.getpid()),
        **peak_resettable,
    }


def _outcome(planned: list[Planned], bookings: Any, clarifications: Any, skipped: Any) -> Any:
    return {
        "mix": dict(Counter(p.kind for p in planned)),
        "bookings": len(bookings),
        "bookings_by_match": dict(Counter(_matched_by(b) for b in bookings)),
        "clarifications": len(clarifications),
        "skipped": len(skipped),
    }


def _matched_by(booking: Any) -> str:
    value = booking["matched_by"] if isinstance(booking, dict) else booking.matched_by
    return str(getattr(value, "value", value))


def _wurzen_iban() -> str:
    account = read_billing(wurzen()).account
    assert isinstance(account, TownAccount)
    return account.iban.replace(" ", "").upper()


@dataclass
class Billing:
    """billing running alone on servers of its own, as a part of the benchmark uses it."""

    nats_url: str
    pg: EmbeddedPostgres
    suite: Suite
    issuer: Any
    db: asyncpg.Connection
    pid: int


@asynccontextmanager
async def billing_alone(prefix: str, volatile: bool, *databases: str) -> AsyncIterator[Billing]:
    """Durable (unless ``volatile``) NATS and PostgreSQL, the issuer and billing alone, ready
    once billing has adopted the member files (a town's account is there); ``databases``:
    more databases to create on the same server."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    say(f"servers in {workdir}")
    nats_server = EmbeddedNats(workdir / "nats", port=0, sync_always=not volatile).start()
    pg = EmbeddedPostgres(workdir / "pg", port=0).start(fsync=not volatile)
    admin = await asyncpg.connect(pg.url)
    for name in ("rathaus_billing", *databases):
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        with running_issuer(workdir / "issuer") as issuer:
            suite = Suite(
                nats_url=nats_server.url,
                database_urls={"billing": pg.url_for("rathaus_billing")},
                smtp_port=1,
                workdir=workdir,
                extra_env={"RATHAUS_LOG_LEVEL": "warning"},
                issuer_url=issuer.url,
            )
            try:
                say("starting billing …")
                suite.start(("billing",))
                pid = suite.processes["billing"].process.pid
                db = await asyncpg.connect(suite.database_urls["billing"])
                try:
                    await _wait(db, "SELECT count(*) FROM rm_claims.accounts", 1)
                    yield Billing(nats_server.url, pg, suite, issuer, db, pid)
                finally:
                    await db.close()
            finally:
                suite.stop()
    finally:
        pg.stop()
        nats_server.stop()


async def camt_service(count: int, volatile: bool) -> dict[str, Any]:
    """Part ``camt-service``: the statement posted to the running billing service."""
    planned = planned_entries(count)
    iban = _wurzen_iban()
    data = camt_file(planned, iban)
    async with billing_alone("rathaus-bench-billing-", volatile, "rathaus_bench_injector") as run:
        await _wait(run.db, "SELECT count(*) FROM rm_claims.accounts WHERE iban = $1", 1, iban)
        injected = await _inject(run.nats_url, run.pg.url_for("rathaus_bench_injector"), planned)
        say(f"{count:,} fees appended in {injected} s; waiting for the claims …")
        await _wait(run.db, "SELECT count(*) FROM rm_claims.claims", count)
        token = clerk_token(
            run.issuer, WURZEN, "Bench Kasse", roles=("treasury",), exp=int(time.time()) + 3600
        )
        result = await _post_statement(run.suite, run.db, token, data, planned, run.pid)
        result["peak_rss_mb_billing"] = peak_rss_mb(run.pid)
        result["fees_appended_seconds"] = injected
    return {"entries": count, "file_mb": round(len(data) / 2**20, 2), **result}


async def _wait(db: asyncpg.Connection, query: str, wanted: int, *args: Any) -> float:
    started = time.monotonic()
    while (await db.fetchval(query, *args)) < wanted:
        if time.monotonic() - started > 1800:
            raise TimeoutError(f"{query}: fewer than {wanted} after 30 minutes")
        await asyncio.sleep(0.2)
    return round(time.monotonic() - started, 2)


async def _inject(nats_url: str, database_url: str, planned: list[Planned]) -> float:
    """Append one ``FeeAssessed`` per claim to billing's stream, 32 at a time."""
    runtime = await connected_runtime(Service.BILLING, nats_url, "", database_url)
    assessed_at = datetime.now(UTC)
    started = time.monotonic()
    try:
        pending = list(planned)
        while pending:
            batch, pending = pending[:32], pending[32:]
            await asyncio.gather(
                *(
                    runtime.store.append(
                        fee_ref(WURZEN, uuid5(NAMESPACE, f"fee-{p.n}")),
                        [assessment(p.n, p.claim_amount, assessed_at)],
                        expected_seq=0,
                        cause=Cause(actor="bench:billing", correlation_id=new_id()),
                    )
                    for p in batch
                )
            )
    finally:
        await runtime.stop()
    return round(time.monotonic() - started, 1)


async def _post_statement(
    suite: Suite, db: asyncpg.Connection, token: str, data: bytes, planned: list[Planned], pid: int
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/xml"}
    load = Load({"billing": pid})
    async with httpx.AsyncClient(base_url=suite.url("billing"), timeout=1800) as client:
        say("POST /api/v1/statements …")
        started = time.monotonic()
        answer = await client.post(
            "/api/v1/statements?name=bench.xml", content=data, headers=headers
        )
        answered = time.monotonic() - started
        answer.raise_for_status()
        report = answer.json()
        booked = len(report["booked"])
        say(f"answered after {answered:.1f} s; waiting until the read model shows the bookings …")
        await _wait(db, "SELECT count(*) FROM rm_claims.bookings", booked)
        visible = time.monotonic() - started
        during = load.report()
        again_started = time.monotonic()
        again = await client.post("/api/v1/statements", content=data, headers=headers)
        again_seconds = time.monotonic() - again_started
        again.raise_for_status()
    return {
        "post_seconds": round(answered, 2),
        "matches_per_second": round(booked / answered, 1),
        "entries_per_second": round(len(planned) / answered, 1),
        "seconds_until_read_model_shows_every_booking": round(visible, 2),
        **_outcome(planned, report["booked"], report["clarifications"], report["skipped"]),
        "settled_claims": await db.fetchval(
            "SELECT count(*) FROM rm_claims.claims WHERE settled_at IS NOT NULL"
        ),
        "repeated_post_seconds": round(again_seconds, 2),
        "repeated_booked": len(again.json()["booked"]),
        "repeated_duplicates": again.json()["duplicates"],
        "load": during,
    }


# --- the annual dog tax -----------------------------------------------------------------------


def keepers_of(dogs: int, year: int, seed: int) -> list[list[KeptDog]]:
    """``dogs`` dogs in keepers, in the mix the docstring describes."""
    rng = random.Random(seed)
    keepers: list[list[KeptDog]] = []
    left = dogs
    while left:
        draw = rng.random()
        size = min(left, 1 if draw < 0.82 else 2 if draw < 0.96 else 3)
        keepers.append([_dog(rng, year, len(keepers), i) for i in range(size)])
        left -= size
    return keepers


def _dog(rng: random.Random, year: int, keeper: int, index: int) -> KeptDog:
    kept_from = date(year - rng.randint(1, 12), rng.randint(1, 12), rng.randint(1, 28))
    kept_until = None
    draw = rng.random()
    if draw < 0.10:  # came during the year
        kept_from = date(year, rng.randint(1, 12), rng.randint(1, 28))
    elif draw < 0.18:  # left during the year
        kept_until = date(year, rng.randint(1, 12), rng.randint(1, 28))
    kind = rng.random()
    return KeptDog(
        name=f"Hund {keeper}-{index}",
        kept_from=kept_from,
        kept_until=kept_until,
        dangerous=kind < 0.01,
        exemption="assistenzhund" if 0.01 <= kind < 0.015 else None,
    )


def micro(values: list[float]) -> dict[str, float]:
    """p50, p99, max and mean of ``values`` (seconds), in microseconds."""
    return {
        "p50_us": round(percentile(values, 0.50) * 1e6, 1),
        "p99_us": round(percentile(values, 0.99) * 1e6, 1),
        "max_us": round(max(values) * 1e6, 1),
        "mean_us": round(sum(values) / len(values) * 1e6, 1),
    }


def dogtax(dogs: int, year: int, seed: int) -> dict[str, Any]:
    """Part ``dogtax``: every keeper's tax for the year and its instalments."""
    statutes: list[DogTaxStatute] = read_billing(wurzen()).dog_tax
    statute = valid_on(statutes, date(year, 1, 1))
    assert statute is not None, f"Wurzen levies no dog tax in {year}"
    keepers = keepers_of(dogs, year, seed)
    say(f"dog tax {year}: {dogs:,} dogs of {len(keepers):,} keepers …")
    notice_day = date(year, 1, 10)
    peak_resettable = reset_peak_rss()
    times: list[float] = []
    total = instalments_total = Decimal(0)
    lines = instalments = 0
    clock = time.perf_counter
    cpu, started = time.process_time(), clock()
    for kept in keepers:
        begun = clock()
        tax = dog_tax_for_year(statutes, kept, year)
        plan = instalment_plan(tax.amount, statute, year, notice_day)
        times.append(clock() - begun)
        total += tax.amount
        lines += len(tax.lines)
        instalments += len(plan)
        instalments_total += sum((each.amount for each in plan), Decimal(0))
    seconds, cpu = clock() - started, time.process_time() - cpu
    assert instalments_total == total, "the instalments do not add up to the tax"
    return {
        "year": year,
        "statute": statute.title,
        "dogs": dogs,
        "keepers": len(keepers),
        "keepers_by_dogs": dict(sorted(Counter(len(k) for k in keepers).items())),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "keepers_per_second": round(len(keepers) / seconds, 1),
        "dogs_per_second": round(dogs / seconds, 1),
        "per_keeper": micro(times),
        "total_tax_eur": str(total),
        "notice_lines": lines,
        "instalments": instalments,
        "peak_rss_mb": peak_rss_mb(os.getpid()),
        **peak_resettable,
    }


async def dogtax_service(dogs: int, year: int, seed: int, volatile: bool) -> dict[str, Any]:
    """Part ``dogtax-service``: the annual run of the running billing service.

    The register's rows are written straight into ``rm_dog_register.dogs`` (100,000
    registrations through intake and casework would take hours and measure them, not the run);
    then an operator calls ``POST /ops/v1/billing/dog-tax/{year}``. Measured: the run's answer
    (every keeper assessed: Kassenzeichen, outbox row, its record) and the time until the
    claims read model shows every claim (published from the outbox, projected).
    """
    keepers = keepers_of(dogs, year, seed)
    async with billing_alone("rathaus-bench-dogtax-", volatile) as run:
        await _register(run.db, keepers)
        token = run.issuer.mint(
            sub="bench-operator", name="Bench", roles=["operator"], exp=int(time.time()) + 7200
        )
        headers = {"authorization": f"Bearer {token}"}
        load = Load({"billing": run.pid})
        async with httpx.AsyncClient(base_url=run.suite.url("billing"), timeout=7200) as client:
            say(f"POST /ops/v1/billing/dog-tax/{year} for {len(keepers):,} keepers …")
            started = time.monotonic()
            answer = await client.post(f"/ops/v1/billing/dog-tax/{year}", headers=headers)
            answered = time.monotonic() - started
            answer.raise_for_status()
            report = answer.json()
            say(f"answered after {answered:.1f} s; waiting for the claims …")
            await _wait(run.db, "SELECT count(*) FROM rm_claims.claims", report["assessed"])
            visible = time.monotonic() - started
            during = load.report()
            again = await client.post(f"/ops/v1/billing/dog-tax/{year}", headers=headers)
            again.raise_for_status()
        peak = peak_rss_mb(run.pid)
    return {
        "year": year,
        "dogs": dogs,
        "keepers": len(keepers),
        "assessed": report["assessed"],
        "exempt": report["exempt"],
        "total_tax_eur": report["total"],
        "run_seconds": round(answered, 2),
        "keepers_per_second": round(len(keepers) / answered, 1),
        "seconds_until_every_claim_is_in_the_read_model": round(visible, 2),
        "repeated_run_assessed": again.json()["assessed"],
        "peak_rss_mb_billing": peak,
        "load": during,
    }


async def _register(db: asyncpg.Connection, keepers: list[list[KeptDog]]) -> None:
    rows: list[tuple[Any, ...]] = []
    for k, kept in enumerate(keepers):
        for i, dog in enumerate(kept):
            n = len(rows) + 1
            rows.append(
                (
                    uuid5(NAMESPACE, f"dog-{n}"),
                    WURZEN,
                    str(n),
                    f"keeper-{k}",
                    uuid5(NAMESPACE, f"application-{n}"),
                    f"bench-{n}",
                    dog.name,
                    "Mischling",
                    dog.kept_from,
                    dog.kept_until,
                    dog.dangerous,
                    dog.exemption,
                    i == 0 and k % 3 == 0,
                )
            )
    await db.copy_records_to_table(
        "dogs",
        schema_name="rm_dog_register",
        records=[(*row, datetime.now(UTC)) for row in rows],
        columns=[
            "dog_id",
            "town",
            "tag_number",
            "keeper_key",
            "application_id",
            "data_key",
            "name",
            "breed",
            "kept_from",
            "kept_until",
            "dangerous",
            "exemption",
            "direct_debit",
            "registered_at",
        ],
    )
    say(f"{len(rows):,} dogs of {len(keepers):,} keepers written to the register")


# --- incoming e-invoices ----------------------------------------------------------------------


def einvoices(rounds: int) -> dict[str, Any]:
    """Part ``einvoices``: check the 86 official test invoices ``rounds`` times each."""
    testsuite = BESIDE_THE_REPOSITORY / "testsuite" / "src" / "test"
    files = {
        "ubl": sorted(testsuite.rglob("*_ubl.xml")),
        "cii": sorted(testsuite.rglob("*_uncefact.xml")),
    }
    contents = {syntax: [f.read_bytes() for f in found] for syntax, found in files.items()}
    peak_resettable = reset_peak_rss()
    say(f"compiling the rules, then checking {sum(map(len, files.values()))} invoices …")
    begun = time.perf_counter()
    warm_up_einvoices()
    compiled = time.perf_counter() - begun
    result: dict[str, Any] = {"rounds": rounds, "compile_seconds": round(compiled, 2)}
    every: list[float] = []
    for syntax, documents in contents.items():
        times: list[float] = []
        accepted = 0
        for _ in range(rounds):
            for content in documents:
                started = time.perf_counter()
                accepted += check_invoice(content).accepted
                times.append(time.perf_counter() - started)
        every += times
        result[syntax] = {
            "invoices": len(documents),
            "checks": len(times),
            "accepted": accepted // rounds,
            "invoices_per_second": round(len(times) / sum(times), 1),
            "per_invoice": summary(times),
        }
    result["all"] = {
        "checks": len(every),
        "invoices_per_second": round(len(every) / sum(every), 1),
        "per_invoice": summary(every),
    }
    return {**result, "peak_rss_mb": peak_rss_mb(os.getpid()), **peak_resettable}


WURZEN_LEITWEG = "147290410410-0001-45"  # deploy/members/14729410-wurzen.toml
BUYER_REFERENCE = re.compile(rb"(<(?:cbc|ram):BuyerReference>)[^<]*(</)")
BT_1 = "/*/*[local-name()='ID'] | /*/*[local-name()='ExchangedDocument']/*[local-name()='ID']"
"""The invoice number: the UBL document's own cbc:ID, the CII document's ram:ID."""


def derived_invoices(count: int) -> list[bytes]:
    """``count`` invoices for Wurzen, derived from the official ones it accepts.

    Each copy gets Wurzen's Leitweg-ID as buyer reference and an invoice number of its own
    (``<number>-B<n>``), so none is a duplicate of another; nothing else changes.
    """
    testsuite = BESIDE_THE_REPOSITORY / "testsuite" / "src" / "test"
    originals = []
    leitweg = rb"\g<1>" + WURZEN_LEITWEG.encode() + rb"\g<2>"
    for path in sorted(testsuite.rglob("*_ubl.xml")) + sorted(testsuite.rglob("*_uncefact.xml")):
        content = BUYER_REFERENCE.sub(leitweg, path.read_bytes())
        if check_invoice(content).accepted:
            originals.append(content)
    derived = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for n in range(count):
        root = etree.fromstring(originals[n % len(originals)], parser)
        [number] = root.xpath(BT_1)
        number.text = f"{number.text}-B{n}"
        derived.append(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return derived


async def einvoices_service(count: int, concurrency: int, volatile: bool) -> dict[str, Any]:
    """Part ``einvoices-service``: invoices posted to billing until each is in the queue."""
    warm_up_einvoices()
    invoices = derived_invoices(count)
    say(f"{len(invoices)} derived invoices for Wurzen ready")
    workdir = Path(tempfile.mkdtemp(prefix="rathaus-bench-einvoices-"))
    nats_server = EmbeddedNats(workdir / "nats", port=0, sync_always=not volatile).start()
    pg = EmbeddedPostgres(workdir / "pg", port=0).start(fsync=not volatile)
    admin = await asyncpg.connect(pg.url)
    for name in ("rathaus_intake", "rathaus_billing"):
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        with running_issuer(workdir / "issuer") as issuer:
            suite = Suite(
                nats_url=nats_server.url,
                database_urls={
                    "intake": pg.url_for("rathaus_intake"),
                    "billing": pg.url_for("rathaus_billing"),
                },
                smtp_port=1,
                workdir=workdir,
                extra_env={"RATHAUS_LOG_LEVEL": "warning"},
                issuer_url=issuer.url,
                service_env={
                    "billing": {
                        "BILLING_INVOICE_SMTP_PORT": "0",
                        "BILLING_INVOICE_WARM_UP": "true",
                        "BILLING_INVOICE_RATE_LIMIT": "",
                    }
                },
            )
            try:
                say("starting intake (keys, object store) and billing …")
                suite.start(("intake", "billing"))
                db = await asyncpg.connect(suite.database_urls["billing"])
                try:
                    return await _post_invoices(suite, db, invoices, concurrency)
                finally:
                    await db.close()
            finally:
                suite.stop()
    finally:
        pg.stop()
        nats_server.stop()


async def _post_invoices(
    suite: Suite, db: asyncpg.Connection, invoices: list[bytes], concurrency: int
) -> dict[str, Any]:
    billing = suite.processes["billing"].process.pid
    headers = {"content-type": "application/xml"}
    posted: dict[str, float] = {}
    queued: dict[str, float] = {}
    answers: list[float] = []
    async with httpx.AsyncClient(base_url=suite.url("billing"), timeout=300) as client:
        say("warming up: the first invoice compiles the rules in the worker if not yet done …")
        first = await client.post("/api/v1/einvoices", content=invoices[0], headers=headers)
        if first.status_code != 201:
            raise RuntimeError(f"warm-up invoice: {first.status_code} {first.text[:300]}")
        await _wait(db, "SELECT count(*) FROM rm_incoming_invoices.invoices", 1)
        work = iter(invoices[1:])
        load = Load({"billing": billing})
        started = time.monotonic()

        async def sender() -> None:
            for content in work:
                begun = time.monotonic()
                answer = await client.post("/api/v1/einvoices", content=content, headers=headers)
                if answer.status_code != 201:
                    raise RuntimeError(f"{answer.status_code}: {answer.text[:300]}")
                answers.append(time.monotonic() - begun)
                posted[answer.json()["invoice_id"]] = begun

        async def watcher() -> None:
            while len(queued) < len(invoices) - 1:
                rows = await db.fetch(
                    "SELECT invoice_id::text FROM rm_incoming_invoices.invoices"
                    " WHERE town = $1 AND duplicate_of IS NULL",
                    WURZEN,
                )
                now = time.monotonic()
                for row in rows:
                    queued.setdefault(row[0], now)
                if time.monotonic() - started > 1800:
                    raise TimeoutError("invoices missing from the queue after 30 minutes")
                await asyncio.sleep(0.02)

        watching = asyncio.create_task(watcher())
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        answered = time.monotonic() - started
        await watching
        in_queue = time.monotonic() - started
        during = load.report()
    to_queue = [queued[i] - posted[i] for i in posted]
    children = psutil.Process(billing).children(recursive=True)
    return {
        "invoices": len(answers),
        "concurrency": concurrency,
        "answered_seconds": round(answered, 2),
        "invoices_per_second": round(len(answers) / answered, 1),
        "per_answer": summary(answers),
        "until_every_invoice_is_queued_seconds": round(in_queue, 2),
        "upload_to_queue": summary(to_queue),
        "peak_rss_mb_billing": peak_rss_mb(billing),
        "peak_rss_mb_billing_workers": [peak_rss_mb(c.pid) for c in children],
        "load": during,
    }


# --- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {
        "benchmark": "billing: fee notices, camt.053 import, the annual dog tax, e-invoices",
        **when_and_where(args.volatile),
        "settings": {k: v for k, v in vars(args).items() if k not in ("quick", "out")},
    }
    for part in args.only:
        load = Load()
        if part == "notices":
            result["notices"] = notices(args.notices)
        elif part == "camt":
            result["camt"] = camt_pure(args.entries)
        elif part == "camt-service":
            result["camt_service"] = asyncio.run(camt_service(args.entries, args.volatile))
            # The servers are gone by now, their CPU time with them: the import's own figure.
            share = result["camt_service"]["load"]["other_work_share"]
            result.setdefault("other_work_share", {})[part] = share
            continue
        elif part == "dogtax":
            result["dogtax"] = dogtax(args.dogs, args.year, args.seed)
        elif part == "einvoices":
            result["einvoices"] = einvoices(args.rounds)
        elif part == "einvoices-service":
            result["einvoices_service"] = asyncio.run(
                einvoices_service(args.invoices, args.concurrency, args.volatile)
            )
            share = result["einvoices_service"]["load"]["other_work_share"]
            result.setdefault("other_work_share", {})[part] = share
            continue
        elif part == "dogtax-service":
            result["dogtax_service"] = asyncio.run(
                dogtax_service(args.dogs, args.year, args.seed, args.volatile)
            )
            share = result["dogtax_service"]["load"]["other_work_share"]
            result.setdefault("other_work_share", {})[part] = share
            continue
        result.setdefault("other_work_share", {})[part] = load.report()["other_work_share"]
    return result


def headline(result: dict[str, Any]) -> str:
    """The figures that matter, in a few lines."""
    lines = []
    if "notices" in result:
        n = result["notices"]
        lines.append(
            f"fee notices (PDF/A-3b with GiroCode): {n['notices_per_second']}/s in one process,"
            f" render p50 {n['per_notice']['p50_ms']} ms p99 {n['per_notice']['p99_ms']} ms"
            f" ({n['notices']} notices, {n['pdf_kb_mean']} KB each, {n['cpu_ms_per_notice']} ms"
            f" CPU each); peak RSS {n['peak_rss_mb']} MB"
        )
    if "camt" in result:
        c = result["camt"]
        lines.append(
            f"camt.053 of {c['entries']:,} entries ({c['file_mb']} MB), pure: parsed in"
            f" {c['parse_seconds']} s, reconciled in {c['reconcile_seconds']} s;"
            f" {c['matches_per_second']:,} matches/s ({c['bookings']:,} bookings,"
            f" {c['clarifications']:,} clarification items); peak RSS {c['peak_rss_mb']} MB"
        )
    if "camt_service" in result:
        s = result["camt_service"]
        lines.append(
            f"camt.053 of {s['entries']:,} entries through billing: POST answered after"
            f" {s['post_seconds']} s ({s['matches_per_second']:,} matches/s), every booking in"
            f" the read model after {s['seconds_until_read_model_shows_every_booking']} s;"
            f" the same file again {s['repeated_post_seconds']} s ({s['repeated_booked']} booked);"
            f" billing's peak RSS {s['peak_rss_mb_billing']} MB"
        )
    if "dogtax" in result:
        d = result["dogtax"]
        lines.append(
            f"dog tax {d['year']}: {d['dogs']:,} dogs of {d['keepers']:,} keepers in"
            f" {d['seconds']} s ({d['keepers_per_second']:,} keepers/s), per keeper p50"
            f" {d['per_keeper']['p50_us']} µs p99 {d['per_keeper']['p99_us']} µs;"
            f" {d['total_tax_eur']} € in {d['instalments']:,} instalments;"
            f" peak RSS {d['peak_rss_mb']} MB"
        )
    if "dogtax_service" in result:
        d = result["dogtax_service"]
        lines.append(
            f"dog tax {d['year']} through billing: {d['keepers']:,} keepers ({d['dogs']:,} dogs)"
            f" assessed in {d['run_seconds']} s ({d['keepers_per_second']:,} keepers/s), every"
            f" claim in the read model after {d['seconds_until_every_claim_is_in_the_read_model']}"
            f" s; run again: {d['repeated_run_assessed']} assessed; billing's peak RSS"
            f" {d['peak_rss_mb_billing']} MB"
        )
    if "einvoices" in result:
        e = result["einvoices"]
        lines.append(
            f"e-invoices checked (all steps): UBL {e['ubl']['invoices_per_second']}/s"
            f" (p50 {e['ubl']['per_invoice']['p50_ms']} ms p99 {e['ubl']['per_invoice']['p99_ms']}"
            f" ms), CII {e['cii']['invoices_per_second']}/s (p50"
            f" {e['cii']['per_invoice']['p50_ms']} ms p99 {e['cii']['per_invoice']['p99_ms']} ms);"
            f" {e['all']['checks']} checks of the 86 official invoices, rules compiled in"
            f" {e['compile_seconds']} s; peak RSS {e['peak_rss_mb']} MB"
        )
    if "einvoices_service" in result:
        e = result["einvoices_service"]
        lines.append(
            f"e-invoices through billing (API, {e['concurrency']} at a time): {e['invoices']}"
            f" answered at {e['invoices_per_second']}/s (answer p50 {e['per_answer']['p50_ms']}"
            f" ms p99 {e['per_answer']['p99_ms']} ms); upload to approval queue p50"
            f" {e['upload_to_queue']['p50_ms']} ms p99 {e['upload_to_queue']['p99_ms']} ms;"
            f" billing's peak RSS {e['peak_rss_mb_billing']} MB, its workers'"
            f" {e['peak_rss_mb_billing_workers']} MB"
        )
    other = ", ".join(f"{k} {v * 100:.0f} %" for k, v in result["other_work_share"].items())
    lines.append(f"other work on the machine (share of both cores): {other}")
    return "\n".join(lines)


def parts(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"parts are {', '.join(PARTS)}; not {unknown}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.billing",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", type=parts, default=list(PARTS), help=",".join(PARTS))
    parser.add_argument("--notices", type=int, default=300, help="fee notices to render")
    parser.add_argument("--entries", type=int, default=10_000, help="of the camt.053")
    parser.add_argument("--dogs", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2026, help="of the dog tax")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5, help="of the 86 test e-invoices")
    parser.add_argument("--invoices", type=int, default=500, help="einvoices-service: posted")
    parser.add_argument("--concurrency", type=int, default=4, help="einvoices-service: at once")
    parser.add_argument("--volatile", action="store_true", help="no fsync (the -service parts)")
    parser.add_argument("--quick", action="store_true", help="every part small (seconds)")
    parser.add_argument("--out", type=Path, default=RESULTS / "billing-latest.json")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(headline(result))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
