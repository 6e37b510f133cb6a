"""Signing each town's chain head once a German day is over (``domain.chain_heads``).

A background job looks every ``ARCHIVE_HEAD_SIGNING_SECONDS`` for finished days without a
signed head — from the day of a town's first file, or the day after its last signed head, up
to yesterday by the timers' clock (``runtime.clock``; a test moves it) — and signs where the
town's chain stood at the end of each: the last file filed before midnight German time. The
head, its signature and ``archive.ChainHeadSigned`` are recorded in one transaction (the event
through the outbox); a second replica signing the same day finds the row there and records
nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import structlog

from contracts.calendar import german_date
from contracts.events.archive import ChainHeadSigned
from contracts.naming import Service
from runtime import outbox
from runtime.clock import Clock
from runtime.errors import describe_error
from runtime.eventstore import AggregateRef, Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.archive.domain import filing
from services.archive.domain.chain_heads import (
    ChainHead,
    days_to_sign,
    end_of,
    key_id,
    public_bytes,
    sign,
)
from services.archive.settings import ArchiveSettings

log = structlog.get_logger(__name__)


def head_ref(town: str, day: date) -> AggregateRef:
    """Where one town's signed head of one day lives."""
    return AggregateRef(Service.ARCHIVE, town, "chain-head", day.isoformat())


async def sign_finished_days(runtime: Runtime, now: datetime) -> int:
    """Sign every finished day's head that is not signed yet; returns how many were signed."""
    settings = runtime.settings
    assert isinstance(settings, ArchiveSettings)
    key = settings.head_signing_key()
    kid = key_id(public_bytes(key))
    towns = await runtime.pool.fetch(
        "SELECT tenant, min(filed_at) AS first FROM rm_case_records.files GROUP BY tenant"
    )
    signed = 0
    for town in towns:
        last = await runtime.pool.fetchval(
            "SELECT max(day) FROM archive_signed_heads WHERE tenant = $1", town["tenant"]
        )
        for day in days_to_sign(now, last, german_date(town["first"])):
            end = await runtime.pool.fetchrow(
                "SELECT position, chain_hash FROM rm_case_records.files"
                " WHERE tenant = $1 AND filed_at < $2 ORDER BY position DESC LIMIT 1",
                town["tenant"],
                end_of(day),
            )
            head = ChainHead(
                town=town["tenant"],
                day=day,
                files=end["position"] if end else 0,
                chain_hash=end["chain_hash"] if end else filing.GENESIS,
            )
            signed += await _record(runtime, head, sign(key, head), kid)
    return signed


async def _record(runtime: Runtime, head: ChainHead, signature: str, kid: str) -> int:
    at = datetime.now(UTC)
    async with runtime.pool.acquire() as conn, conn.transaction():
        inserted = await conn.fetchval(
            "INSERT INTO archive_signed_heads VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT DO NOTHING RETURNING true",
            head.town,
            head.day,
            head.files,
            head.chain_hash,
            signature,
            kid,
            at,
        )
        if not inserted:
            return 0
        await outbox.record(
            conn,
            head_ref(head.town, head.day),
            [
                ChainHeadSigned(
                    town=head.town,
                    day=head.day,
                    files=head.files,
                    chain_hash=head.chain_hash,
                    signature=signature,
                    key_id=kid,
                    signed_at=at,
                )
            ],
            commit_id=derived_id(head.town, head.day.isoformat(), "chain-head"),
            cause=Cause(actor="system:archive.chain-heads", correlation_id=new_id()),
            expected_seq=0,
        )
    log.info("chain head signed", town=head.town, day=str(head.day), files=head.files)
    return 1


async def run_head_signing(runtime: Runtime) -> None:
    """Background job: sign finished days' heads, now and every ``head_signing_seconds``."""
    settings = runtime.settings
    assert isinstance(settings, ArchiveSettings)
    clock = Clock(settings.test_clock_file)
    while True:
        try:
            await sign_finished_days(runtime, clock.now())
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("chain heads wait for the database", error=describe_error(exc))
        await asyncio.sleep(settings.head_signing_seconds)
