"""Each town's chain head is signed once its day is over, and checks out offline; the whole
chain is verified on demand, and a changed record is found.

archive runs alone on the run's NATS and a database of its own, with the timers' clock a day
ahead (``RATHAUS_TEST_CLOCK_FILE``): today is over by that clock. A case of Wurzen is filed from
its events; archive signs Wurzen's head of today — one file, that file's chain hash — and
announces it. The head saved from the API and the public key from the API check out with the
documented offline command; the same head with one file more, or signed by another key, does
not.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.calendar import german_date
from contracts.events.archive import ChainHeadSigned
from contracts.naming import Service
from runtime.eventstore import AggregateRef
from services.archive.domain.chain_heads import ChainHead, sign
from tests.conftest import ROOT, DatabaseFactory
from tests.support.applications import WURZEN
from tests.support.filed_cases import file_a_case
from tests.support.issuer import DevIssuer
from tests.support.polling import get_once_there
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite


def check_offline(head: Path, key: Path | str) -> subprocess.CompletedProcess[str]:
    """The documented offline check, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "services.archive.head_check", str(head), str(key)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_town_s_head_is_signed_after_its_day_and_checks_out_offline(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    issuer: DevIssuer,
    tmp_path: Path,
) -> None:
    clock = tmp_path / "clock"
    clock.write_text("+1d")  # by the timers' clock, today is over
    suite = Suite(
        nats_url=nats_url,
        database_urls={"archive": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
        extra_env={
            "RATHAUS_TEST_CLOCK_FILE": str(clock),
            "ARCHIVE_HEAD_SIGNING_SECONDS": "0.5",
        },
    )
    suite.start(("archive",))
    try:
        case_id = await file_a_case(nats_url, namespace, new_database)
        today = german_date(datetime.now(UTC)).isoformat()
        async with httpx.AsyncClient(base_url=suite.url("archive"), timeout=10) as archive:
            filed = (await get_once_there(archive, f"/api/v1/files/{case_id}")).json()
            head = (
                await get_once_there(archive, f"/api/v1/towns/{WURZEN}/chain-heads/{today}")
            ).json()
            key = (await archive.get("/api/v1/chain-heads/key")).json()
            missing = await archive.get(f"/api/v1/towns/{WURZEN}/chain-heads/2020-01-01")
            chain_url = f"/api/v1/towns/{WURZEN}/chain"
            assert (await archive.get(chain_url)).status_code == 401  # operators only
            operator = suite.operator_headers()
            chain = (await archive.get(chain_url, headers=operator)).json()
            assert (chain["files"], chain["valid"], chain["signed_heads"]) == (1, True, 1), chain
            assert chain["head"] == filed["chain_hash"]
            # Someone changes the filed record's hash in archive's database: the walk says so.
            db = await asyncpg.connect(suite.database_urls["archive"])
            try:
                await db.execute(
                    "UPDATE rm_case_records.files SET record_hash = $1 WHERE case_id = $2",
                    "f" * 64,
                    case_id,
                )
            finally:
                await db.close()
            tampered = (await archive.get(chain_url, headers=operator)).json()
        assert missing.status_code == 404
        assert "nicht signiert" in missing.json()["detail"]
    finally:
        suite.stop()

    assert tampered["valid"] is False
    assert [p["problem"] for p in tampered["first_problems"]] == [
        "the record does not match the log",
        "its chain hash does not follow from its record",
    ]
    assert (head["town"], head["day"], head["files"]) == (WURZEN, today, 1)
    assert head["chain_hash"] == filed["chain_hash"]
    assert head["key_id"] == key["key_id"]
    assert head["statement"].startswith("rathauscloud-chain-head/1\ntown=14729410\n")

    saved_head, saved_key = tmp_path / "head.json", tmp_path / "key.json"
    saved_head.write_text(json.dumps(head))
    saved_key.write_text(json.dumps(key))
    checked = check_offline(saved_head, saved_key)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("valid: town 14729410")
    assert check_offline(saved_head, key["public_key"]).returncode == 0  # the key as base64

    saved_head.write_text(json.dumps({**head, "files": 2}))  # one file more than was signed
    assert check_offline(saved_head, saved_key).returncode == 1
    other = Ed25519PrivateKey.generate()
    forged = sign(other, ChainHead(WURZEN, date.fromisoformat(today), 1, head["chain_hash"]))
    saved_head.write_text(json.dumps({**head, "signature": forged}))
    assert check_offline(saved_head, saved_key).returncode == 1
    other_key = base64.b64encode(other.public_key().public_bytes_raw()).decode()
    assert check_offline(saved_head, other_key).returncode == 0  # it is that key's signature

    # The signature was announced on archive's stream, once.
    log = await connected_runtime(Service.ARCHIVE, nats_url, namespace, await new_database())
    try:
        loaded = await log.store.load(AggregateRef(Service.ARCHIVE, WURZEN, "chain-head", today))
    finally:
        await log.stop()
    [announced] = [envelope.event for envelope in loaded.events]
    assert isinstance(announced, ChainHeadSigned)
    assert (announced.files, announced.signature) == (1, head["signature"])
