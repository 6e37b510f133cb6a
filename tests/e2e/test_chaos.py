"""The chaos run, short: every part of the suite killed in turn while applications flow.

The long variant with more load and a 60-second NATS outage is ``python -m bench.chaos``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from services.notify.settings import NotifySettings
from tests.support.chaos import ChaosRun

SENDERS = NotifySettings.model_fields["senders"].default
"""SMTP connections a notify process sends on at once (the chaos run keeps the default)."""

KILLED_IN_TURN = (
    "nats",
    "postgres",
    "intake",
    "casework-1",
    "casework-2",
    "billing",
    "archive",
    "notify-1",
    "notify-2",
)


@pytest.mark.timeout(900)
async def test_killing_every_part_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    async with ChaosRun(tmp_path, rate=3.0, down_seconds=2.0, smtp_delay=0.1) as run:
        run.start_load()
        await asyncio.sleep(3)
        for name in KILLED_IN_TURN:
            await run.kill_and_heal(name)
            await asyncio.sleep(1)
        await run.stop_load()
        # The finding this run reproduces: NATS dies while notify is sending (16 mails each).
        await run.outage_while_sending(count=20, seconds=20)
        missing = await run.wait_complete(180)
        verdict = await run.verdict()
    print(json.dumps(verdict, indent=2))
    assert missing == []
    assert verdict["acknowledged"] >= 40
    assert verdict["lost"] == []
    assert verdict["duplicate_mails"] == {}
    assert verdict["duplicate_message_ids"] == {}
    # Only the window the README names: a notify process killed right after a mail server's
    # 250, before its record, with the same Message-ID — at most once per SMTP connection the
    # killed process had open (it sends on SENDERS at once; a kill caught two mid-250 once).
    assert len(verdict["repeated_after_sender_killed"]) <= verdict["notify_kills"] * SENDERS
    assert verdict["duplicate_files"] == {}
    assert verdict["duplicate_fees"] == {}
    assert verdict["missing_fees"] == []
    assert verdict["cash_references_repeated"] == []
    assert verdict["file_references_repeated"] == []
    assert verdict["chains_broken"] == []
    assert verdict["dead_letters"] == {}
    assert verdict["unacknowledged_mails"] == []
    assert set(verdict["refused"]) <= {503}, "an outage is a 503, never a 500"
