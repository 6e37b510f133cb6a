"""Benchmark of the walking skeleton: applications through all five services.

Starts its own durable embedded servers (NATS with ``sync_interval: always``, PostgreSQL with
fsync on), an SMTP sink and the five services as separate processes, then measures

* throughput: N applications posted by C concurrent clients, counted until every one of
  them is filed in the archive and its acknowledgement e-mail has arrived;
* latency at a fixed offered rate (open loop): from the start of the POST to "filed"
  (``archive.CaseFiled`` published) and to "e-mail sent" (the SMTP sink received it);
* documents: the decision letter and the fee notice (PDFs, rendered in the services' worker
  processes at lower priority) in the mailbox — when the last of the throughput run's arrived,
  and from POST to the fee notice's mail at each offered rate;
* peak resident memory (VmHWM) of every service process, NATS and PostgreSQL.

    python -m bench.skeleton [--count 3000] [--concurrency 64] [--rate 100] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.parser
import email.policy
import json
import os
import platform
import re
import secrets
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import psutil
from aiosmtpd.controller import Controller

from devstack.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from tests.support.applications import gewerbeanmeldung
from tests.support.issuer import running_issuer
from tests.support.suite import SERVICES, Suite

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CASE_NUMBER = re.compile(r"Antragskennung: ([0-9a-f-]{36})")
ACKNOWLEDGED = re.compile(r"Vorgangsnummer: ([^\s<]+)(?:<br>)?\s+Antragskennung: ([0-9a-f-]{36})")
"""In the text, or in the HTML part (``<br>`` between the lines) should it come first."""
LETTER = re.compile(r"\(Vorgangsnummer ([^)]+)\) wurde entschieden")
NOTICE = re.compile(r"\(Vorgangsnummer ([^)]+)\) werden Gebühren erhoben")
HEADERS_END = re.compile(rb"\r?\n\r?\n")
HEADER_PARSER = email.parser.BytesHeaderParser(policy=email.policy.default)


@dataclass
class Clock:
    """When each application was posted, filed and mailed (monotonic seconds)."""

    posted: dict[str, float] = field(default_factory=dict)
    filed: dict[str, float] = field(default_factory=dict)
    mailed: dict[str, float] = field(default_factory=dict)
    resent: int = 0
    """POSTs sent again, same idempotency key, after the connection broke."""
    case_numbers: dict[str, str] = field(default_factory=dict)
    """Application id → its Vorgangsnummer (from the acknowledgement)."""
    letters: dict[str, float] = field(default_factory=dict)
    notices: dict[str, float] = field(default_factory=dict)
    """Vorgangsnummer → when its decision letter / fee notice arrived."""

    unread: list[tuple[float, bytes]] = field(default_factory=list)
    """Mails with attachments (letters, notices, forwardings), with when they arrived, read
    when the documents are counted: parsing one with its PDF is the load generator's CPU,
    taken from the suite's cores while its throughput is measured."""

    def done(self, ids: list[str]) -> bool:
        return all(i in self.filed and i in self.mailed for i in ids)

    def documented(self, ids: list[str]) -> bool:
        for arrived, content in self.unread:
            self.read(arrived, content)
        self.unread.clear()
        numbers = [self.case_numbers.get(i) for i in ids]
        return all(n in self.letters and n in self.notices for n in numbers)

    def acknowledged(self, arrived: float, content: bytes) -> bool:
        """Note an acknowledgement whose text is there as it is (8-bit), without parsing the
        MIME parts (the coat of arms among them); whether it was one."""
        text = content.decode("utf-8", "replace")
        acknowledged = ACKNOWLEDGED.search(text)
        if acknowledged is None:
            return False
        self.mailed.setdefault(acknowledged.group(2), arrived)
        self.case_numbers[acknowledged.group(2)] = acknowledged.group(1)
        return True

    def read(self, arrived: float, content: bytes) -> None:
        """Note what a mail that arrived at ``arrived`` tells."""
        text = _plain_text(content)
        found = CASE_NUMBER.search(text)
        if found:
            self.mailed.setdefault(found.group(1), arrived)
        if acknowledged := ACKNOWLEDGED.search(text):
            self.case_numbers[acknowledged.group(2)] = acknowledged.group(1)
        if letter := LETTER.search(text):
            self.letters.setdefault(letter.group(1), arrived)
        if notice := NOTICE.search(text):
            self.notices.setdefault(notice.group(1), arrived)

    def notice_of(self, application_id: str) -> float | None:
        return self.notices.get(self.case_numbers.get(application_id, ""))


class MailSink:
    """SMTP handler: reads a mail without attachments (an acknowledgement: the throughput waits
    for them) as it arrives; notes the arrival of one with attachments and reads it later."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        now = time.monotonic()
        head = HEADERS_END.split(envelope.content, maxsplit=1)[0]
        if HEADER_PARSER.parsebytes(head).get_content_type() == "multipart/mixed":
            self.clock.unread.append((now, envelope.content))  # with attachments
        elif not self.clock.acknowledged(now, envelope.content):
            self.clock.read(now, envelope.content)
        return "250 OK"


def _plain_text(content: bytes) -> str:
    """A mail's plain-text body (decoded from quoted-printable or base64)."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return str(body.get_content()) if body is not None else ""


def towns() -> list[tuple[str, str]]:
    """(AGS, a postcode of the town) for every member offering the Gewerbeanmeldung and
    deciding it automatically — where the check only prepares it (Thallwitz, Lossatal), a
    clerk confirms it, and the skeleton measures the path without clerks."""
    found = []
    for path in sorted((ROOT / "deploy" / "members").glob("*.toml")):
        member = tomllib.loads(path.read_text(encoding="utf-8"))
        automation = member.get("casework", {}).get("automation", {})
        if "gewerbeanmeldung" in member.get("intake", {}).get("procedures", {}) and (
            automation.get("gewerbeanmeldung") == "full"
        ):
            found.append((member["town"]["ags"], member["town"]["postcodes"][0]))
    return found


def application(index: int, postcode: str) -> dict[str, Any]:
    """A distinct, automatable application for a town."""
    return gewerbeanmeldung(
        form__business__trade_name=f"Betrieb {index}",
        form__business__address={
            "street": f"Marktstraße {index % 90 + 1}",
            "postcode": postcode,
            "city": "Ort",
        },
    )


async def post(client: httpx.AsyncClient, clock: Clock, index: int, town: tuple[str, str]) -> str:
    started = time.monotonic()
    key = secrets.token_hex(8)
    for attempt in range(3):
        try:
            response = await client.post(
                f"/api/v1/towns/{town[0]}/procedures/gewerbeanmeldung/applications",
                json=application(index, town[1]),
                headers={"Idempotency-Key": key},
            )
            break
        except httpx.TransportError:  # e.g. a keep-alive connection the server just closed
            if attempt == 2:
                raise
            clock.resent += 1
    response.raise_for_status()
    case_id: str = response.json()["application_id"]
    clock.posted[case_id] = started
    return case_id


async def wait_done(clock: Clock, ids: list[str], timeout: float) -> float:
    """When the last of ``ids`` was filed and acknowledged (from the arrival times, so looking
    every 50 ms, and only at those still missing, costs no precision and little CPU)."""
    deadline = time.monotonic() + timeout
    missing = ids
    while missing := [i for i in missing if not clock.done([i])]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(missing)} of {len(ids)} applications not through in time")
        await asyncio.sleep(0.05)
    return max(max(clock.filed[i], clock.mailed[i]) for i in ids)


def when_and_where(volatile: bool) -> dict[str, Any]:
    """A result's header: when, on which machine, with what durability."""
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        },
        "durability": "none (volatile)"
        if volatile
        else "NATS sync_interval always; PostgreSQL fsync on",
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.50) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


async def throughput(
    client: httpx.AsyncClient,
    clock: Clock,
    count: int,
    concurrency: int,
    stops: list[tuple[str, str]],
    on_finished: Callable[[], None] | None = None,
) -> dict[str, Any]:
    queue = list(range(count))
    ids: list[str] = []

    async def worker() -> None:
        while queue:
            index = queue.pop()
            ids.append(await post(client, clock, index, stops[index % len(stops)]))

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    posted = time.monotonic()
    finished = await wait_done(clock, ids, timeout=600)
    if on_finished:
        on_finished()
    documented = await wait_documented(clock, ids, timeout=1200)
    return {
        "applications": count,
        "concurrency": concurrency,
        "posts_per_second": round(count / (posted - started), 1),
        "applications_per_second": round(count / (finished - started), 1),
        "seconds": round(finished - started, 2),
        "with_documents": {
            "applications_per_second": round(count / (documented - started), 1),
            "seconds": round(documented - started, 2),
        },
    }


async def wait_documented(clock: Clock, ids: list[str], timeout: float) -> float:
    """When the last decision letter or fee notice of ``ids`` arrived in the mailbox."""
    deadline = time.monotonic() + timeout
    while not clock.documented(ids):
        if time.monotonic() > deadline:
            raise TimeoutError(f"documents of {len(ids)} applications not mailed in time")
        await asyncio.sleep(0.05)
    numbers = [clock.case_numbers[i] for i in ids]
    return max(max(clock.letters[n], clock.notices[n]) for n in numbers)


async def latency(
    client: httpx.AsyncClient,
    clock: Clock,
    rate: float,
    seconds: float,
    stops: list[tuple[str, str]],
    offset: int,
) -> dict[str, Any]:
    total = int(rate * seconds)
    start = time.monotonic()
    tasks = []
    for i in range(total):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post(client, clock, offset + i, stops[i % len(stops)])))
    ids = list(await asyncio.gather(*tasks))
    await wait_done(clock, ids, timeout=300)
    await wait_documented(clock, ids, timeout=600)
    return {
        "offered_per_second": rate,
        "applications": total,
        "post_to_filed": summary([clock.filed[i] - clock.posted[i] for i in ids]),
        "post_to_email": summary([clock.mailed[i] - clock.posted[i] for i in ids]),
        "post_to_fee_notice_email": summary(
            [(clock.notice_of(i) or 0.0) - clock.posted[i] for i in ids]
        ),
    }


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time (user + system) used so far by each process and its children — PostgreSQL's
    backends, a service's worker process (documents, e-invoice checks).

    Children that have ended count through their parent's ``children_*`` times: PostgreSQL's
    backends come and go with the services' connections, and counting only the living ones
    made the figure fall (negative per application) when pools closed during a run.
    """
    used = {}
    for name, pid in pids.items():
        process = psutil.Process(pid)
        if pid == os.getpid():  # the load generator: its children are the suite itself
            times = process.cpu_times()
            used[name] = times.user + times.system
            continue
        total = 0.0
        for member in [process, *process.children(recursive=True)]:
            with suppress(psutil.NoSuchProcess):
                times = member.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        used[name] = total
    return used


async def sql_profile_reset(url: str) -> None:
    """Start counting statements from here (the throughput run only)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await conn.execute("SELECT pg_stat_statements_reset()")
    finally:
        await conn.close()


async def sql_profile_write(url: str, count: int) -> None:
    """The statements that cost PostgreSQL most, per application, written next to the results."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT d.datname, s.calls, s.total_exec_time, s.rows, s.query"
            " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
            " ORDER BY s.total_exec_time DESC LIMIT 40"
        )
    finally:
        await conn.close()
    top = [
        {
            "database": row["datname"],
            "calls_per_application": round(row["calls"] / count, 2),
            "ms_per_application": round(row["total_exec_time"] / count, 3),
            "rows_per_call": round(row["rows"] / max(row["calls"], 1), 1),
            "query": " ".join(row["query"].split())[:300],
        }
        for row in rows
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "skeleton-sql-profile.json"
    out.write_text(json.dumps(top, indent=2) + "\n")
    print(f"SQL profile written to {out.relative_to(ROOT)}", flush=True)


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(psutil.Process(pid).memory_info().rss / 2**20, 1)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="rathaus-bench-"))
    print(f"servers in {workdir}", flush=True)
    nats_server = EmbeddedNats(workdir / "nats", port=0, sync_always=not args.volatile).start()
    profile = {"shared_preload_libraries": "pg_stat_statements"} if args.sql_profile else None
    pg = EmbeddedPostgres(workdir / "pg", port=0).start(fsync=not args.volatile, settings=profile)
    clock = Clock()
    sink = Controller(MailSink(clock), hostname="127.0.0.1", port=free_port())
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
        extra_env={"NOTIFY_SENDERS": str(args.senders), "RATHAUS_LOG_LEVEL": "warning"},
        issuer_url=issuer.url,
    )
    nc = await nats.connect(nats_server.url)

    async def on_filed(msg: Any) -> None:
        clock.filed.setdefault(msg.subject.rsplit(".", 1)[1], time.monotonic())

    await nc.subscribe("ev.archive.*.file.*", cb=on_filed)
    try:
        print("starting the five services …", flush=True)
        suite.start()
        stops = towns()
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=64)
        async with httpx.AsyncClient(
            base_url=suite.url("intake"), timeout=60, limits=limits
        ) as client:
            while len((await client.get("/api/v1/towns")).json()) < len(stops):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            print("warm-up …", flush=True)
            await throughput(client, clock, 100, 16, stops)
            lat = []
            for step, rate in enumerate(args.rates):
                print(f"latency at {rate:g}/s offered for {args.seconds:g} s …", flush=True)
                offset = 10_000 * (step + 1)
                lat.append(await latency(client, clock, rate, args.seconds, stops, offset))
            print(
                f"throughput: {args.count} applications, {args.concurrency} clients …", flush=True
            )
            pids = {name: p.process.pid for name, p in suite.processes.items()}
            pids["nats-server"] = nats_server.process.pid  # type: ignore[union-attr]
            pids["postgres (all)"] = pg.process.pid  # type: ignore[union-attr]
            pids["load generator + SMTP sink"] = os.getpid()
            if args.sql_profile:
                await sql_profile_reset(pg.url)
            before = cpu_seconds(pids)
            resent_before = clock.resent
            filed: dict[str, float] = {}
            thr = await throughput(
                client,
                clock,
                args.count,
                args.concurrency,
                stops,
                on_finished=lambda: filed.update(cpu_seconds(pids)),
            )
            after = cpu_seconds(pids)
            if args.sql_profile:
                await sql_profile_write(pg.url, args.count)
            thr["posts_resent_after_broken_connection"] = clock.resent - resent_before
            thr["cpu_ms_per_application"] = {
                name: round((after[name] - before[name]) * 1000 / args.count, 2) for name in pids
            }
            thr["cpu_ms_per_application_until_filed"] = {
                name: round((filed[name] - before[name]) * 1000 / args.count, 2) for name in pids
            }
            batching = {}
            operator = suite.operator_headers()  # /readyz's details are for operators
            for name in suite.processes:
                report = (await client.get(f"{suite.url(name)}/readyz", headers=operator)).json()
                for key, runner in report["projections"].items():
                    if runner["batches"]:
                        batching[f"{name}:{key}"] = round(runner["applied"] / runner["batches"], 2)
        memory = {name: peak_rss_mb(p.process.pid) for name, p in suite.processes.items()}
        for name, service in suite.processes.items():
            for child in psutil.Process(service.process.pid).children():
                if "spawn_main" in " ".join(child.cmdline()):
                    memory[f"{name} worker"] = peak_rss_mb(child.pid)
        memory["nats-server"] = peak_rss_mb(nats_server.process.pid)  # type: ignore[union-attr]
    finally:
        await nc.close()
        suite.stop()
        surroundings.close()
        sink.stop()
        pg.stop()
        nats_server.stop()
    return {
        "benchmark": "walking skeleton: POST → casework → billing → archive → notify",
        **when_and_where(args.volatile),
        "throughput": thr,
        "latency": lat,
        "peak_rss_mb": memory,
        "commits_per_batch": batching,
    }


def headline(result: dict[str, Any]) -> str:
    """The figures that matter, in a few lines."""
    thr = result["throughput"]
    lines = [
        f"throughput: {thr['applications_per_second']} applications/s"
        f" ({thr['applications']} at {thr['concurrency']} clients, {result['durability']});"
        f" with their letters and fee notices mailed:"
        f" {thr['with_documents']['applications_per_second']} applications/s"
    ]
    for run in result["latency"]:
        filed, mailed = run["post_to_filed"], run["post_to_email"]
        lines.append(
            f"at {run['offered_per_second']:g}/s offered: POST→filed p50 {filed['p50_ms']} ms"
            f" p99 {filed['p99_ms']} ms; POST→e-mail p50 {mailed['p50_ms']} ms"
            f" p99 {mailed['p99_ms']} ms; POST→fee notice mailed"
            f" p50 {run['post_to_fee_notice_email']['p50_ms']} ms"
            f" p99 {run['post_to_fee_notice_email']['p99_ms']} ms"
        )
    peak = ", ".join(f"{name} {mb} MB" for name, mb in result["peak_rss_mb"].items())
    lines.append(f"peak memory: {peak}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.skeleton")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",")],
        default=[20.0, 100.0],
        help="offered loads for the latency runs, per second (comma-separated)",
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--senders", type=int, default=8, help="notify's SMTP connections")
    parser.add_argument(
        "--volatile",
        action="store_true",
        help="no fsync in NATS and PostgreSQL (to see what durability costs)",
    )
    parser.add_argument(
        "--sql-profile",
        action="store_true",
        help="load pg_stat_statements and write the costliest statements of the throughput run",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "skeleton-latest.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(headline(result))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
