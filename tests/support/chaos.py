"""The chaos run: applications flow while NATS, PostgreSQL and every service die and come back.

Shared by the short chaos test (``tests/e2e/test_chaos.py``) and the long benchmark
(``bench/chaos.py``). It starts its own NATS (``sync_interval: always``) and PostgreSQL — they
are killed, so they cannot be the test run's — a real SMTP server, and the suite with two
replicas of casework and notify, each service a process. A load generator posts Gewerbe-
anmeldungen continuously, as citizens would: each with an idempotency key, sent again with
the same key after a 503 or a broken connection, until acknowledged. Meanwhile every part is
killed with SIGKILL in turn and started again.

At the end the servers themselves are asked — not the services' answers: every acknowledged
application must be filed exactly once (one file, one ``CaseFiled`` in the archive's stream),
have exactly one fee assessment with a Kassenzeichen of its own, and exactly one e-mail in the
SMTP server; no dead letter may be left; every town's chain must verify and no Aktenzeichen
repeat.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
from aiosmtpd.controller import Controller

from devstack.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from runtime.reader import read_stream
from tests.support.applications import gewerbeanmeldung
from tests.support.suite import ROOT, SERVICES

CASE_NUMBER = re.compile(rb"Antragskennung: ([0-9a-f-]{36})")
REPLICAS = {"casework": 2, "notify": 2}
TOWNS = (("14729410", "04808"), ("14522020", "09573"))
GENESIS = "0" * 64
SENDER_WINDOW = 2.0
"""Seconds from a mail server's 250 to the sender's record of it, generously (a loaded
machine): a sender killed within them may repeat that mail once."""
KILL_SLACK = 0.05
"""A kill's time is taken just before the signal: a mail the dying sender finished sending in
between arrives a moment 'after' it."""


class Sink:
    """SMTP handler counting mails per application (and slow on purpose, if asked)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.mails: Counter[str] = Counter()
        self.message_ids: Counter[str] = Counter()
        self.first_seen: dict[str, float] = {}
        """When each Message-ID's first copy had arrived whole (monotonic, before the server's
        delay and its 250), to tell a repeat's cause."""
        self.acknowledgement_of: dict[str, str] = {}
        """Each application's acknowledgement's Message-ID."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        # The whole mail is here: a sender killed from now on, before it reads the 250 below,
        # took the window the README names even though this copy still counts as delivered.
        arrived = time.monotonic()
        # Slow to answer, as a server that checks and queues a mail before its 250.
        if self.delay:
            await asyncio.sleep(self.delay)
        found = CASE_NUMBER.search(envelope.content)
        header = re.search(rb"Message-ID: (<[^>]+>)", envelope.content, re.IGNORECASE)
        if found:
            self.mails[found.group(1).decode()] += 1
        if header:
            message_id = header.group(1).decode()
            self.message_ids[message_id] += 1
            self.first_seen.setdefault(message_id, arrived)
            if found:
                self.acknowledgement_of[found.group(1).decode()] = message_id
        return "250 OK"


@dataclass
class Part:
    """One killable process of the run."""

    name: str
    process: subprocess.Popen[bytes] | None = None
    port: int = 0


@dataclass
class Load:
    """What the load generator saw."""

    acknowledged: dict[str, float] = field(default_factory=dict)
    refused: Counter[int] = field(default_factory=Counter)
    broken: int = 0
    failing_since: float | None = None
    longest_failure: float = 0.0

    def failed(self, now: float) -> None:
        if self.failing_since is None:
            self.failing_since = now

    def succeeded(self, now: float) -> None:
        if self.failing_since is not None:
            self.longest_failure = max(self.longest_failure, now - self.failing_since)
            self.failing_since = None


@dataclass
class ChaosRun:
    """The whole run's machinery; ``async with`` starts and stops it."""

    workdir: Path
    rate: float = 4.0
    down_seconds: float = 2.0
    smtp_delay: float = 0.0
    say: Any = print
    namespace: str = ""
    nats: EmbeddedNats | None = None
    postgres: EmbeddedPostgres | None = None
    parts: dict[str, Part] = field(default_factory=dict)
    load: Load = field(default_factory=Load)
    heal_seconds: dict[str, float] = field(default_factory=dict)
    sink: Sink = field(default_factory=Sink)
    kills: list[tuple[str, float]] = field(default_factory=list)
    _smtp: Controller | None = None
    _smtp_port: int = 0
    _databases: dict[str, str] = field(default_factory=dict)
    _generator: asyncio.Task[None] | None = None
    _stop_load: asyncio.Event = field(default_factory=asyncio.Event)

    async def __aenter__(self) -> ChaosRun:
        self.sink.delay = self.smtp_delay
        self.nats = EmbeddedNats(self.workdir / "nats", port=free_port()).start()
        self.postgres = EmbeddedPostgres(self.workdir / "pg", port=free_port()).start(fsync=False)
        admin = await asyncpg.connect(self.postgres.url)
        for name in SERVICES:
            await admin.execute(f"CREATE DATABASE rathaus_{name}")
            self._databases[name] = self.postgres.url_for(f"rathaus_{name}")
        await admin.close()
        self._smtp_port = free_port()
        self._smtp = Controller(self.sink, hostname="127.0.0.1", port=self._smtp_port)
        self._smtp.start()
        for name in SERVICES:
            for replica in range(1, REPLICAS.get(name, 1) + 1):
                key = f"{name}-{replica}" if name in REPLICAS else name
                self.parts[key] = Part(key, port=free_port())
                self._start_service(key)
        await self.until_ready(120)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop_load()
        for part in self.parts.values():
            _terminate(part.process)
        if self._smtp is not None:
            self._smtp.stop()
        if self.postgres is not None:
            self.postgres.stop()
        if self.nats is not None:
            self.nats.stop()

    # --- processes ---------------------------------------------------------------------

    def _service_of(self, key: str) -> str:
        return key.split("-", 1)[0]

    def _start_service(self, key: str) -> None:
        part, service = self.parts[key], self._service_of(key)
        assert self.nats is not None
        env = {
            **os.environ,
            "NATS_URL": self.nats.url,
            "RATHAUS_NAMESPACE": self.namespace,
            "RATHAUS_ENVIRONMENT": "test",
            "RATHAUS_MEMBERS_DIR": str(ROOT / "deploy" / "members"),
            f"{service.upper()}_DATABASE_URL": self._databases[service],
            f"{service.upper()}_HTTP_PORT": str(part.port),
            f"{service.upper()}_HTTP_HOST": "127.0.0.1",
            "NOTIFY_SMTP_HOST": "127.0.0.1",
            "NOTIFY_SMTP_PORT": str(self._smtp_port),
            "NOTIFY_RETRY_BASE_SECONDS": "0.5",
            "NOTIFY_POLL_SECONDS": "0.5",
            "INTAKE_RATE_LIMIT_PER_CLIENT": "",
            "INTAKE_RATE_LIMIT_PER_RECIPIENT": "",
        }
        log = open(self.workdir / f"{key}.log", "ab")  # noqa: SIM115 - handed to the child
        part.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{service}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self, name: str) -> None:
        """SIGKILL one part, as a crash would."""
        self.kills.append((name, time.monotonic()))
        if name == "nats":
            assert self.nats is not None
            self.nats.kill()
        elif name == "postgres":
            assert self.postgres is not None
            assert self.postgres.process is not None
            self.postgres.process.send_signal(signal.SIGKILL)
            self.postgres.process.wait()
        else:
            process = self.parts[name].process
            assert process is not None
            process.kill()
            process.wait()

    async def revive(self, name: str) -> None:
        """Start a killed part again, on the same port and data."""
        if name == "nats":
            assert self.nats is not None
            self.nats = EmbeddedNats(self.nats.store_dir, port=self.nats.port).start()
        elif name == "postgres":
            assert self.postgres is not None
            self.postgres = await _restart_postgres(self.postgres)
        else:
            self._start_service(name)

    async def until_ready(self, timeout: float) -> float:
        """Seconds until every service answers /readyz with 200."""
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                if all([await _ready(client, part) for part in self.parts.values()]):
                    return time.monotonic() - started
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"not ready after {timeout} s: see {self.workdir}/*.log")
                await asyncio.sleep(0.2)

    async def kill_and_heal(self, name: str) -> float:
        """Kill a part, keep it down a while, start it again; seconds from kill to healed."""
        killed = time.monotonic()
        self.kill(name)
        self.say(f"  killed {name} (SIGKILL)")
        await asyncio.sleep(self.down_seconds)
        await self.revive(name)
        await self.until_ready(180)
        healed = time.monotonic() - killed
        self.heal_seconds[name] = round(healed, 1)
        self.say(f"  {name} back; suite ready {healed:.1f} s after the kill")
        return healed

    # --- load --------------------------------------------------------------------------

    def start_load(self) -> None:
        """Post applications continuously at ``rate`` per second, in the background."""
        self._stop_load.clear()
        self._generator = asyncio.create_task(self._generate())

    async def stop_load(self) -> None:
        """Stop posting new applications; wait for those in flight to be acknowledged."""
        self._stop_load.set()
        if self._generator is not None:
            await self._generator
            self._generator = None

    async def _generate(self) -> None:
        intake = self.parts["intake"]
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{intake.port}", timeout=10, limits=limits
        ) as client:
            tasks: list[asyncio.Task[None]] = []
            index = len(self.load.acknowledged)
            while not self._stop_load.is_set():
                tasks.append(asyncio.create_task(self._apply(client, index)))
                index += 1
                await asyncio.sleep(1 / self.rate)
            await asyncio.gather(*tasks)

    async def _apply(self, client: httpx.AsyncClient, index: int) -> None:
        ags, postcode = TOWNS[index % len(TOWNS)]
        body = gewerbeanmeldung(
            form__business__trade_name=f"Chaos {index}",
            form__business__address={
                "street": f"Marktstraße {index % 90 + 1}",
                "postcode": postcode,
                "city": "Ort",
            },
        )
        key = secrets.token_hex(8)
        url = f"/api/v1/towns/{ags}/procedures/gewerbeanmeldung/applications"
        while True:
            try:
                answer = await client.post(url, json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError:
                self.load.broken += 1
                self.load.failed(time.monotonic())
                await asyncio.sleep(0.5)
                continue
            if answer.status_code in (200, 201):
                self.load.succeeded(time.monotonic())
                self.load.acknowledged.setdefault(answer.json()["application_id"], time.monotonic())
                return
            self.load.refused[answer.status_code] += 1
            self.load.failed(time.monotonic())
            if answer.status_code != 503:
                raise AssertionError(f"{answer.status_code}: {answer.text}")
            await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))

    async def burst(self, count: int) -> list[str]:
        """Post ``count`` applications at once; returns their ids once all are acknowledged."""
        before = set(self.load.acknowledged)
        intake = self.parts["intake"]
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{intake.port}", timeout=10
        ) as client:
            start = 100_000 + len(before)
            await asyncio.gather(*(self._apply(client, start + i) for i in range(count)))
        return sorted(set(self.load.acknowledged) - before)

    async def outage_while_sending(self, count: int, seconds: float) -> float:
        """Kill NATS the moment a burst's mails start going out; keep it down ``seconds``.

        Returns how long after NATS came back the burst was completely filed and mailed.
        """
        ids = await self.burst(count)
        deadline = time.monotonic() + 60
        while not any(self.sink.mails[i] for i in ids):
            if time.monotonic() > deadline:
                raise TimeoutError("no mail of the burst went out")
            await asyncio.sleep(0.01)
        self.kill("nats")
        sent = sum(1 for i in ids if self.sink.mails[i])
        self.say(f"  killed nats while sending ({sent} of {count} mails out); down {seconds:.0f} s")
        await asyncio.sleep(seconds)
        await self.revive("nats")
        back = time.monotonic()
        await self.until_ready(180)
        missing = await self.wait_complete(180)
        if missing:
            raise AssertionError(f"{len(missing)} applications of the burst did not complete")
        healed = time.monotonic() - back
        self.heal_seconds[f"nats-outage-{seconds:.0f}s"] = round(healed, 1)
        return healed

    # --- the verdict -------------------------------------------------------------------

    async def wait_complete(self, timeout: float) -> list[str]:
        """Wait until every acknowledged application is filed and mailed; returns the rest."""
        deadline = time.monotonic() + timeout
        while True:
            missing = await self.incomplete()
            if not missing or time.monotonic() > deadline:
                return missing
            await asyncio.sleep(0.5)

    async def incomplete(self) -> list[str]:
        filed = await self._fetch_ids("archive", "SELECT case_id FROM rm_case_records.files")
        return [
            case_id
            for case_id in self.load.acknowledged
            if case_id not in filed or self.sink.mails[case_id] == 0
        ]

    async def _fetch_ids(self, service: str, sql: str) -> set[str]:
        conn = await asyncpg.connect(self._databases[service])
        try:
            return {str(row[0]) for row in await conn.fetch(sql)}
        finally:
            await conn.close()

    async def verdict(self) -> dict[str, Any]:
        """What the servers say about every acknowledged application."""
        ids = set(self.load.acknowledged)
        filed = await self._stream_counts("ARCHIVE", "archive.CaseFiled")
        fees = await self._stream_counts("BILLING", "billing.FeeAssessed")
        sender_killed = self.repeated_after_sender_killed()
        return {
            "acknowledged": len(ids),
            "completed": len(ids) - len(await self.incomplete()),
            "lost": sorted(i for i in ids if filed[i] == 0 or self.sink.mails[i] == 0),
            "duplicate_mails": {
                i: n
                for i, n in self.sink.mails.items()
                if n > 1 and not (n == 2 and self.sink.acknowledgement_of.get(i) in sender_killed)
            },
            "duplicate_message_ids": {
                m: n for m, n in self.sink.message_ids.items() if n > 1 and m not in sender_killed
            },
            "repeated_after_sender_killed": sorted(sender_killed),
            "repeats_against_kills": self.repeats_against_kills(),
            "notify_kills": sum(1 for name, _ in self.kills if name.startswith("notify")),
            "duplicate_files": {i: n for i, n in filed.items() if n > 1},
            "duplicate_fees": {i: n for i, n in fees.items() if n > 1},
            "missing_fees": sorted(i for i in ids if fees[i] != 1),
            "cash_references_repeated": await self._repeated(
                "billing",
                "SELECT cash_reference FROM rm_fee_assessment.assessments"
                " WHERE cash_reference IS NOT NULL",
            ),
            "file_references_repeated": await self._repeated(
                "archive", "SELECT tenant || ' ' || file_reference FROM rm_case_records.files"
            ),
            "chains_broken": await self._broken_chains(),
            "dead_letters": await self._dead_letters(),
            "unacknowledged_mails": sorted(set(self.sink.mails) - ids),
            "refused": dict(self.load.refused),
            "connection_errors": self.load.broken,
            "longest_failure_seconds": round(self.load.longest_failure, 1),
            "heal_seconds": self.heal_seconds,
        }

    def repeated_after_sender_killed(self) -> set[str]:
        """Mails sent exactly twice because their sender was killed just after sending.

        The window the README names: a notify process killed after the mail server had the
        whole mail and before the record of the delivery sends it again, with the same
        Message-ID. That includes a kill while the server still worked on its 250 (the sink's
        delay): the server keeps the mail, the dead sender never heard. A repeat counts as
        that only when a notify process was killed within ``SENDER_WINDOW`` seconds after the
        first copy arrived whole; any other repeat is a defect.
        """
        killed = [at for name, at in self.kills if name.startswith("notify")]
        return {
            message_id
            for message_id, count in self.sink.message_ids.items()
            if count == 2
            and any(
                -KILL_SLACK <= at - self.sink.first_seen[message_id] <= SENDER_WINDOW
                for at in killed
            )
        }

    def repeats_against_kills(self) -> dict[str, list[str]]:
        """For each repeated Message-ID, each kill's offset from its first copy's arrival.

        Not a verdict: what tells a repeat's cause when one fails the run (``notify-1
        +0.05 s``: killed 0.05 s after the first copy arrived whole, inside the window).
        """
        return {
            message_id: [
                f"{name} {at - self.sink.first_seen[message_id]:+.2f} s" for name, at in self.kills
            ]
            for message_id, count in self.sink.message_ids.items()
            if count > 1
        }

    async def _stream_counts(self, stream: str, event_type: str) -> Counter[str]:
        """Commits holding ``event_type`` per aggregate id, read from the stream itself."""
        assert self.nats is not None
        client = await nats.connect(self.nats.url)
        counts: Counter[str] = Counter()
        try:
            name = f"{self.namespace}_{stream}" if self.namespace else stream
            async for msg in read_stream(client.jetstream(), name):
                if event_type in (msg.headers or {}).get("Rc-Event-Types", ""):
                    counts[msg.subject.rsplit(".", 1)[1]] += 1
        finally:
            await client.close()
        return counts

    async def _repeated(self, service: str, sql: str) -> list[str]:
        conn = await asyncpg.connect(self._databases[service])
        try:
            values = Counter(row[0] for row in await conn.fetch(sql))
        finally:
            await conn.close()
        return sorted(value for value, n in values.items() if n > 1)

    async def _broken_chains(self) -> list[str]:
        """Towns whose chain of files does not link up from the genesis to its head."""
        conn = await asyncpg.connect(self._databases["archive"])
        try:
            rows = await conn.fetch(
                "SELECT tenant, position, record_hash, previous_hash, chain_hash"
                " FROM rm_case_records.files ORDER BY tenant, position"
            )
        finally:
            await conn.close()
        towns: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            towns[row["tenant"]].append(row)
        broken = []
        for town, files in towns.items():
            previous = GENESIS
            for expected, row in enumerate(files, start=1):
                link = hashlib.sha256(f"{previous}{row['record_hash']}".encode()).hexdigest()
                if (
                    row["position"] != expected
                    or row["previous_hash"] != previous
                    or row["chain_hash"] != link
                ):
                    broken.append(town)
                    break
                previous = row["chain_hash"]
        return broken

    async def _dead_letters(self) -> dict[str, int]:
        found = {}
        for service in SERVICES:
            conn = await asyncpg.connect(self._databases[service])
            try:
                count = await conn.fetchval(
                    "SELECT count(*) FROM rc_dead_letters WHERE resolved_at IS NULL"
                )
            finally:
                await conn.close()
            if count:
                found[service] = count
        return found


async def _ready(client: httpx.AsyncClient, part: Part) -> bool:
    if part.process is None or part.process.poll() is not None:
        return False
    try:
        return (await client.get(f"http://127.0.0.1:{part.port}/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def _restart_postgres(old: EmbeddedPostgres) -> EmbeddedPostgres:
    """Start PostgreSQL again after a SIGKILL: its orphaned backends may need a moment to go."""
    for _ in range(100):
        try:
            return EmbeddedPostgres(old.data_dir, port=old.port).start(fsync=False)
        except (RuntimeError, TimeoutError):
            await asyncio.sleep(0.3)
    raise RuntimeError("PostgreSQL did not come back")


def _terminate(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
