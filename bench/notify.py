"""Benchmark of notify: mails per second into an SMTP sink, rendered from the templates, each
with its PDF attachment, DKIM-signed.

notify alone on durable embedded NATS (``sync_interval: always``) and PostgreSQL (fsync on),
the development issuer beside it, an SMTP sink (aiosmtpd) in this process that accepts every
mail and notes when it arrived. Prepared before the clock starts: ``--mails`` fee-notice mails
of Naunhof (its coat of arms inline, its own wording where it has one), each rendered with the
real templates (``services.notify.domain.samples``: text and HTML), each for a case of its own
whose data key exists and whose 30 KB PDF is sealed in the object store with that key — what
notify's reactions queue after billing's ``FeeNoticeIssued``. Measured from the moment they
are queued (one transaction; the senders are woken): mails per second until the sink holds
every one, p50/p99 of the time from the queueing to a mail's arrival, and notify's peak RSS.
Each mail goes through the whole sending path: the lease, the key-bucket check before sending
(erased?), the PDF read from the object store, opened and checked against its SHA-256, the
multipart mail with the inline coat of arms, the DKIM signature (an RSA-2048 key made for the
run), the SMTP dialogue, the delivery recorded with its event through the outbox.

    python -m bench.notify [--mails 1000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import asyncpg
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bench.archive import until
from bench.desk.machine import Load, peak_rss_mb
from bench.skeleton import summary, when_and_where
from contracts.naming import Service
from devstack.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from runtime.documents import object_name, store_once
from services.notify.domain import rendering
from services.notify.domain.samples import SAMPLES
from services.notify.domain.templates import Letterhead
from services.notify.projections.queueing import Outgoing, queue
from tests.support.issuer import running_issuer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MEMBERS = ROOT / "deploy" / "members"
NAUNHOF = "14729300"
NAMESPACE = UUID("7d1f5e2a-41b3-4c8e-9f0a-2b6c1d3e4f50")
STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f} s] {text}", file=sys.stderr, flush=True)


class Sink:
    """Accepts every mail and notes when it arrived (by its Message-ID)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.sizes: list[int] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content: bytes = envelope.content
        for line in content.split(b"\r\n", 60):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b"<", 1)[1].split(b"@", 1)[0].decode()
                self.arrived.setdefault(message_id, time.time())
                break
        self.sizes.append(len(content))
        return "250 OK"


def town_profile() -> dict[str, Any]:
    [path] = MEMBERS.glob(f"{NAUNHOF}-*.toml")
    town: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))["town"]
    return town


async def mails(count: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="rathaus-bench-notify-"))
    say(f"servers in {workdir}")
    nats_server = EmbeddedNats(workdir / "nats", port=0, sync_always=True).start()
    pg = EmbeddedPostgres(workdir / "pg", port=0).start(fsync=True)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    key_file = workdir / "dkim.pem"
    key_file.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    admin = await asyncpg.connect(pg.url)
    for name in ("rathaus_notify", "bench_intake"):
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        with running_issuer(workdir / "issuer") as issuer:
            suite = Suite(
                nats_url=nats_server.url,
                database_urls={"notify": pg.url_for("rathaus_notify")},
                smtp_port=controller.port,
                workdir=workdir,
                extra_env={
                    "RATHAUS_LOG_LEVEL": "warning",
                    "NOTIFY_DKIM_SELECTOR": "bench",
                    "NOTIFY_DKIM_KEY_FILE": str(key_file),
                },
                issuer_url=issuer.url,
            )
            say("starting notify …")
            suite.start(("notify",))
            try:
                pid = suite.processes["notify"].process.pid
                return await _send(
                    nats_server.url, pg.url_for("bench_intake"), suite, count, pid, sink
                )
            finally:
                suite.stop()
    finally:
        controller.stop()
        pg.stop()
        nats_server.stop()


async def _send(
    nats_url: str, intake_db: str, suite: Suite, count: int, pid: int, sink: Sink
) -> dict[str, Any]:
    rendering.configure(MEMBERS)
    profile = town_profile()
    message = SAMPLES["fee_notice"].render(Letterhead.from_profile(profile, "Kämmerei"))
    pdf = b"%PDF-1.7\n" + random.Random(3).randbytes(30 * 1024)
    intake = await connected_runtime(Service.INTAKE, nats_url, "", intake_db)
    outgoing = []
    try:
        say(f"sealing {count:,} PDFs under keys of their own …")
        for n in range(count):
            case_id = uuid5(NAMESPACE, f"case-{n}")
            key = await intake.keys.create(str(case_id))
            name = object_name(str(case_id), "gebuehrenbescheid.pdf")
            stored = await store_once(intake.attachments, name, pdf, key)
            outgoing.append(
                Outgoing(
                    message_id=uuid5(NAMESPACE, f"mail-{n}"),
                    tenant=NAUNHOF,
                    case_id=case_id,
                    data_key=str(case_id),
                    correlation_id=case_id,
                    template="fee_notice",
                    recipient=f"empfaenger{n}@example.org",
                    message=message,
                    attachments=[
                        {
                            "object_name": name,
                            "filename": "gebuehrenbescheid.pdf",
                            "content_type": "application/pdf",
                            "sha256": stored.sha256,
                        }
                    ],
                )
            )
        assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    finally:
        await intake.stop()
    db = await asyncpg.connect(suite.database_urls["notify"])
    await db.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    try:
        await until(db, "SELECT (to_regclass('rm_outbox.outbox') IS NOT NULL)::int", 1)
        await db.execute(
            "INSERT INTO rm_outbox.towns (ags, profile) VALUES ($1, $2)"
            " ON CONFLICT (ags) DO NOTHING",
            NAUNHOF,
            profile,
        )
        load = Load({"notify": pid})
        await db.execute("SET search_path TO rm_outbox")
        queued = time.time()
        async with db.transaction():
            for item in outgoing:
                await queue(db, item)
        say(f"{count:,} mails queued; waiting for the sink …")
        while len(sink.arrived) < count:
            if time.time() - queued > 1800:
                raise TimeoutError(f"{len(sink.arrived)} of {count} mails after 30 minutes")
            await asyncio.sleep(0.1)
        last = max(sink.arrived.values())
        await until(db, "SELECT count(*) FROM outbox WHERE status = 'delivered'", count)
        seconds = last - queued
        return {
            "mails": count,
            "seconds": round(seconds, 1),
            "mails_per_second": round(count / seconds, 1),
            "queued_to_arrival": summary([t - queued for t in sink.arrived.values()]),
            "mail_kb_mean": round(sum(sink.sizes) / len(sink.sizes) / 1024, 1),
            "peak_rss_mb_notify": peak_rss_mb(pid),
            "load": load.report(),
        }
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.notify",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="50 mails (seconds)")
    parser.add_argument("--out", type=Path, default=RESULTS / "notify-latest.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.mails = 50
    result = {
        "benchmark": "notify: templated mails with a PDF attachment, DKIM-signed, to an SMTP sink",
        **when_and_where(False),
        "settings": {"mails": args.mails},
        "mails": asyncio.run(mails(args.mails)),
    }
    m = result["mails"]
    print(
        f"notify: {m['mails']:,} mails (fee notice, text+HTML, coat of arms, 30 KB PDF, DKIM)"
        f" at {m['mails_per_second']}/s; queued to arrival p50 {m['queued_to_arrival']['p50_ms']}"
        f" ms p99 {m['queued_to_arrival']['p99_ms']} ms; {m['mail_kb_mean']} KB each;"
        f" notify's peak RSS {m['peak_rss_mb_notify']} MB"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    say(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
