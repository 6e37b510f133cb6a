"""Benchmark of archive: files filed per second, a town's chain of 100,000 files verified, an
xdomea export of 1,000 files.

Three parts, each selectable with ``--only`` (comma-separated; all by default):

``filing``
    archive alone on durable embedded NATS (``sync_interval: always``) and PostgreSQL (fsync
    on), the development issuer beside it. ``--files`` whole cases of Wurzen are appended to
    the logs of intake, casework and billing directly, 16 cases at a time, as those services
    would write them (``tests/support/filed_cases.py``'s case: the application with its
    applicant under a data key of its own, the case opened and closed, the fee assessed — four
    commits); archive collects the parts and files each case into Wurzen's chain (the record,
    its Aktenzeichen, the link, ``archive.CaseFiled`` through the outbox). Measured: files per
    second from the first append until the last file is in archive's database, and per file
    the time from the append of its last part until it is filed (p50/p99; archive's
    ``filed_at`` and this process read the same clock). archive's peak RSS.
``chain``
    ``--chain`` files of one town, **bulk-loaded** (said so in the result): their records —
    two commits each, casework's case opened and closed and billing's fee, no personal data —
    are appended to the logs 128 at a time, read back from the streams, and their files
    (record hash, link, chain hash, position) computed here and copied into archive's table,
    as the filing would have written them; no archive process runs. Then measured:
    ``services.archive.verification.verify_chain`` — what ``GET /api/v1/towns/{ags}/chain``
    runs — in this process: every record recomputed from the log, every link, the positions.
    Seconds, files per second, peak RSS; the walk must find the chain valid.
``xdomea``
    The pure export, in this process: ``--export`` files, each with its event history
    (``Verlauf.xml``, about 4 KB) and a 40 KB PDF, offered as one 0501 and handed over as one
    0503 package (the ZIP with the message and every document), each message checked against
    the xdomea 3.0.0 schema as archive does. Seconds for each, files per second, the package's
    size, peak RSS. Not in it: opening the documents from the object store and the exchange
    with the state archive (the e2e test ``tests/e2e/test_disposal.py`` runs the whole path).

Every part prints its figures; the result, with the shared header, goes to
``bench/results/archive-latest.json``. ``--quick`` runs every part small (seconds).

    python -m bench.archive [--only filing,chain,xdomea] [--files 2000] [--chain 100000]
                            [--export 1000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import asyncpg

from bench.desk.machine import Load, peak_rss_mb
from bench.skeleton import summary, when_and_where
from contracts.events.billing import FeeAssessed
from contracts.events.casework import CaseClosed, CaseOpened
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Service
from contracts.values import Contact
from devstack.embedded import EmbeddedNats, EmbeddedPostgres
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.reader import read_stream
from services.archive.disposal import schema_dir
from services.archive.domain import filing, xdomea
from services.archive.projections import case_records
from services.archive.verification import verify_chain
from tests.support.issuer import running_issuer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WURZEN = "14729410"
PARTS = ("filing", "chain", "xdomea")
QUICK = {"files": 60, "chain": 2000, "export": 50}
NAMESPACE = UUID("0c8f8f7e-3d55-4b8e-a7f2-4b1c3e3a9d11")
AT = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f} s] {text}", file=sys.stderr, flush=True)


def case_id_of(kind: str, n: int) -> UUID:
    return uuid5(NAMESPACE, f"{kind}-{n}")


def opened(case_id: UUID) -> list[Any]:
    return [
        CaseOpened(
            case_id=case_id,
            application_id=case_id,
            procedure="gewerbeanmeldung",
            competent_town=WURZEN,
            processing_towns=[WURZEN],
            opened_at=AT,
        ),
        CaseClosed(case_id=case_id, closed_at=AT),
    ]


def fee(case_id: UUID, n: int) -> list[Any]:
    return [
        FeeAssessed(
            case_id=case_id,
            procedure="gewerbeanmeldung",
            amount=Decimal("26.00"),
            cash_reference=f"{WURZEN}-2026-{n:06d}",
            due_date=date(2026, 12, 20),
            assessed_at=AT,
        )
    ]


class Servers:
    """Durable embedded NATS and PostgreSQL in a folder of their own."""

    def __init__(self, prefix: str) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix=prefix))
        say(f"servers in {self.workdir}")
        self.nats = EmbeddedNats(self.workdir / "nats", port=0, sync_always=True).start()
        self.pg = EmbeddedPostgres(self.workdir / "pg", port=0).start(fsync=True)

    async def database(self, name: str) -> str:
        admin = await asyncpg.connect(self.pg.url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        return self.pg.url_for(name)

    def stop(self) -> None:
        self.pg.stop()
        self.nats.stop()


# --- filing ----------------------------------------------------------------------------------


async def filing_rate(files: int) -> dict[str, Any]:
    """Part ``filing``: whole cases appended, archive files them."""
    servers = Servers("rathaus-bench-archive-")
    try:
        archive_db = await servers.database("rathaus_archive")
        writers_db = {s: await servers.database(f"bench_{s.value}") for s in WRITERS}
        with running_issuer(servers.workdir / "issuer") as issuer:
            suite = Suite(
                nats_url=servers.nats.url,
                database_urls={"archive": archive_db},
                smtp_port=1,
                workdir=servers.workdir,
                extra_env={"RATHAUS_LOG_LEVEL": "warning"},
                issuer_url=issuer.url,
            )
            say("starting archive …")
            suite.start(("archive",))
            try:
                pid = suite.processes["archive"].process.pid
                return await _file_cases(servers.nats.url, writers_db, archive_db, files, pid)
            finally:
                suite.stop()
    finally:
        servers.stop()


WRITERS = (Service.INTAKE, Service.CASEWORK, Service.BILLING)


async def _file_cases(
    nats_url: str, writers_db: dict[Service, str], archive_db: str, files: int, pid: int
) -> dict[str, Any]:
    writers = {s: await connected_runtime(s, nats_url, "", url) for s, url in writers_db.items()}
    db = await asyncpg.connect(archive_db)
    last_part: dict[UUID, float] = {}
    load = Load({"archive": pid})
    try:
        await until(db, "SELECT (to_regclass('rm_case_records.files') IS NOT NULL)::int", 1)
        started = time.time()

        async def one(n: int) -> None:
            case_id = case_id_of("filed", n)
            cause = Cause(actor="bench:archive", correlation_id=case_id)
            await writers[Service.INTAKE].keys.create(str(case_id))
            submitted = ApplicationSubmitted(
                application_id=case_id,
                procedure="gewerbeanmeldung",
                form_version=1,
                submitted_at=AT,
                contact=Contact(name=f"Antragstellerin {n}", email=f"a{n}@example.org"),
                form={},
            )
            parts = (
                (Service.INTAKE, "application", [submitted], str(case_id)),
                (Service.CASEWORK, "case", opened(case_id), None),
                (Service.BILLING, "fee", fee(case_id, n), None),
            )
            for service, kind, events, data_key in parts:
                await writers[service].store.append(
                    AggregateRef(service, WURZEN, kind, str(case_id)),
                    events,
                    expected_seq=0,
                    cause=cause,
                    data_key=data_key,
                )
            last_part[case_id] = time.time()

        for first in range(0, files, 16):
            await asyncio.gather(*(one(n) for n in range(first, min(files, first + 16))))
        appended = time.time() - started
        say(f"{files:,} cases appended in {appended:.1f} s; waiting for the files …")
        await until(db, "SELECT count(*) FROM rm_case_records.files", files)
        rows = await db.fetch("SELECT case_id, filed_at FROM rm_case_records.files")
        done = max(row["filed_at"].timestamp() for row in rows)
        latencies = [row["filed_at"].timestamp() - last_part[row["case_id"]] for row in rows]
        seconds = done - started
        return {
            "files": files,
            "seconds": round(seconds, 1),
            "files_per_second": round(files / seconds, 1),
            "appended_seconds": round(appended, 1),
            "last_part_to_filed": summary(latencies),
            "peak_rss_mb_archive": peak_rss_mb(pid),
            "load": load.report(),
        }
    finally:
        await db.close()
        for writer in writers.values():
            await writer.stop()


async def until(db: asyncpg.Connection, query: str, wanted: int) -> None:
    """Poll ``query`` (a number) until it reaches ``wanted``; 30 minutes at most."""
    started = time.monotonic()
    while (await db.fetchval(query)) < wanted:
        if time.monotonic() - started > 1800:
            raise TimeoutError(f"{query}: fewer than {wanted} after 30 minutes")
        await asyncio.sleep(0.1)


# --- chain -------------------------------------------------------------------------------------


async def chain(count: int) -> dict[str, Any]:
    """Part ``chain``: a bulk-loaded chain of ``count`` files, verified."""
    servers = Servers("rathaus-bench-chain-")
    try:
        writers = {
            s: await connected_runtime(s, servers.nats.url, "", await servers.database(f"w_{s}"))
            for s in (Service.CASEWORK, Service.BILLING)
        }
        archive = await connected_runtime(
            Service.ARCHIVE, servers.nats.url, "", await servers.database("rathaus_archive")
        )
        try:
            started = time.monotonic()
            await _append_records(writers, count)
            appended = time.monotonic() - started
            say(f"{count:,} records appended in {appended:.1f} s; building the chain …")
            await _load_files(archive, count)
            loaded = time.monotonic() - started - appended
            say(f"chain of {count:,} files loaded in {loaded:.1f} s; verifying …")
            load = Load()
            began = time.monotonic()
            report = await verify_chain(archive, WURZEN)
            seconds = time.monotonic() - began
            assert report["valid"], report
            assert report["files"] == count, report
            return {
                "files": count,
                "bulk_loaded": True,
                "records": "two commits each (case opened+closed, fee assessed), no personal data",
                "append_seconds": round(appended, 1),
                "load_seconds": round(loaded, 1),
                "verify_seconds": round(seconds, 1),
                "files_verified_per_second": round(count / seconds),
                "valid": report["valid"],
                "peak_rss_mb": peak_rss_mb(os.getpid()),
                "load": load.report(),
            }
        finally:
            await archive.stop()
            for writer in writers.values():
                await writer.stop()
    finally:
        servers.stop()


async def _append_records(writers: dict[Service, Any], count: int) -> None:
    cause = Cause(actor="bench:archive", correlation_id=new_id())

    async def one(n: int) -> None:
        case_id = case_id_of("chain", n)
        await writers[Service.CASEWORK].store.append(
            AggregateRef(Service.CASEWORK, WURZEN, "case", str(case_id)),
            opened(case_id),
            expected_seq=0,
            cause=cause,
        )
        await writers[Service.BILLING].store.append(
            AggregateRef(Service.BILLING, WURZEN, "fee", str(case_id)),
            fee(case_id, n),
            expected_seq=0,
            cause=cause,
        )

    for first in range(0, count, 128):
        await asyncio.gather(*(one(n) for n in range(first, min(count, first + 128))))
        if first and first % 20_000 == 0:
            say(f"  {first:,} records appended")


async def _load_files(archive: Any, count: int) -> None:
    """Read the records back from the streams, link them in order, copy them in."""
    parts: dict[UUID, list[filing.RecordPart]] = defaultdict(list)
    for service in (Service.CASEWORK, Service.BILLING):
        async for msg in read_stream(archive.js, archive.ns.stream(service)):
            case_id = UUID(msg.subject.rsplit(".", 1)[1])
            parts[case_id].append(
                filing.RecordPart(service.value, msg.metadata.sequence.stream, msg.data)
            )
    async with archive.pool.acquire() as conn:
        await conn.execute("CREATE SCHEMA IF NOT EXISTS rm_case_records")
        await conn.execute("SET search_path TO rm_case_records")
        await conn.execute(case_records.DDL)
        await conn.execute("RESET search_path")
        migration = ROOT / "services" / "archive" / "migrations" / "0001_signed_chain_heads.sql"
        await conn.execute(migration.read_text(encoding="utf-8"))
        previous = filing.GENESIS
        rows = []
        for n in range(count):
            case_id = case_id_of("chain", n)
            record = filing.record_hash(parts[case_id])
            link = filing.chain_hash(previous, record)
            names = [[p.stream, p.stream_seq] for p in parts[case_id]]
            rows.append(
                (
                    case_id,
                    WURZEN,
                    n + 1,
                    f"32.10.01/2026/{n + 1:06d}",
                    record,
                    previous,
                    link,
                    names,
                    date(2036, 12, 31),
                    AT,
                )
            )
            previous = link
        await conn.executemany(
            "INSERT INTO rm_case_records.files (case_id, tenant, position, file_reference,"
            " record_hash, previous_hash, chain_hash, parts, retain_until, filed_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)",
            rows,
        )


# --- xdomea ------------------------------------------------------------------------------------


def export(count: int) -> dict[str, Any]:
    """Part ``xdomea``: an offer and a handover package of ``count`` files, schema-checked."""
    schema = xdomea.Schema(schema_dir())
    town = xdomea.Party(WURZEN, "Große Kreisstadt Wurzen")
    archive = xdomea.Party("StA-SN", "Sächsisches Staatsarchiv")
    pdf = b"%PDF-1.7\n" + random.Random(7).randbytes(40 * 1024)  # compressed streams: no gain
    history = ("<Verlauf>" + "<Ereignis>{}</Ereignis>" * 40 + "</Verlauf>").encode()
    files = [
        xdomea.OfferedFile(
            id=case_id_of("export", n),
            reference=f"32.10.01/2026/{n + 1:06d}",
            plan_position="32.10.01",
            subject="Gewerbeanmeldung",
            began=date(2026, 11, 2),
            ended=date(2026, 11, 20),
            documents=(
                xdomea.Document(
                    uuid5(NAMESPACE, f"history-{n}"),
                    "Verlauf",
                    "Verlauf.xml",
                    "application/xml",
                    history,
                    date(2026, 11, 20),
                ),
                xdomea.Document(
                    uuid5(NAMESPACE, f"letter-{n}"),
                    "Bescheid",
                    "bescheid.pdf",
                    "application/pdf",
                    pdf,
                    date(2026, 11, 20),
                ),
            ),
        )
        for n in range(count)
    ]
    process = new_id()
    load = Load()
    began = time.monotonic()
    offer = xdomea.offer(process, town, archive, files, datetime.now(UTC))
    schema.check(offer, xdomea.OFFER)
    offered = time.monotonic() - began
    began = time.monotonic()
    package = xdomea.handover(process, town, archive, files, datetime.now(UTC))
    message, documents = xdomea.handover_message(package)
    schema.check(message, xdomea.HANDOVER)
    handed = time.monotonic() - began
    assert len(documents) == 2 * count
    return {
        "files": count,
        "offer_seconds": round(offered, 2),
        "offer_kb": round(len(offer) / 1024),
        "handover_seconds": round(handed, 2),
        "handover_files_per_second": round(count / handed),
        "package_mb": round(len(package) / 2**20, 1),
        "documents": len(documents),
        "peak_rss_mb": peak_rss_mb(os.getpid()),
        "load": load.report(),
    }


# --- the run -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {
        "benchmark": "archive: files filed, a chain verified, an xdomea export",
        **when_and_where(False),
        "settings": {k: v for k, v in vars(args).items() if k not in ("quick", "out")},
    }
    for part in args.only:
        if part == "filing":
            result["filing"] = asyncio.run(filing_rate(args.files))
        elif part == "chain":
            result["chain"] = asyncio.run(chain(args.chain))
        elif part == "xdomea":
            result["xdomea"] = export(args.export)
        say(f"{part}: {json.dumps(result[part], default=str)}")
    return result


def headline(result: dict[str, Any]) -> str:
    lines = []
    if "filing" in result:
        f = result["filing"]
        lines.append(
            f"filing: {f['files']:,} cases filed at {f['files_per_second']}/s; last part to"
            f" filed p50 {f['last_part_to_filed']['p50_ms']} ms p99"
            f" {f['last_part_to_filed']['p99_ms']} ms; archive's peak RSS"
            f" {f['peak_rss_mb_archive']} MB"
        )
    if "chain" in result:
        c = result["chain"]
        lines.append(
            f"chain of {c['files']:,} files (bulk-loaded) verified in {c['verify_seconds']} s"
            f" ({c['files_verified_per_second']:,} files/s); peak RSS {c['peak_rss_mb']} MB"
        )
    if "xdomea" in result:
        x = result["xdomea"]
        lines.append(
            f"xdomea export of {x['files']:,} files: 0501 in {x['offer_seconds']} s"
            f" ({x['offer_kb']} KB), 0503 package with {x['documents']:,} documents in"
            f" {x['handover_seconds']} s ({x['package_mb']} MB), both schema-checked;"
            f" peak RSS {x['peak_rss_mb']} MB"
        )
    return "\n".join(lines)


def parts(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"parts are {', '.join(PARTS)}; not {unknown}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.archive",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", type=parts, default=list(PARTS), help=",".join(PARTS))
    parser.add_argument("--files", type=int, default=2000, help="filing: cases filed")
    parser.add_argument("--chain", type=int, default=100_000, help="chain: files verified")
    parser.add_argument("--export", type=int, default=1000, help="xdomea: files exported")
    parser.add_argument("--quick", action="store_true", help="every part small (seconds)")
    parser.add_argument("--out", type=Path, default=RESULTS / "archive-latest.json")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    result = run(args)
    print(headline(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    say(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
