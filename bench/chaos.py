"""Benchmark: the chaos run, long — more load, every part killed, a 60-second NATS outage.

Starts its own durable NATS and PostgreSQL, an SMTP server and the suite with two replicas
of casework and notify (see ``tests/support/chaos.py``). Posts applications continuously at
``--rate`` per second while NATS, PostgreSQL and each service process are killed with SIGKILL
in turn, then kills NATS while a burst of mails is being sent and keeps it down for
``--outage`` seconds. Prints and writes (``bench/results/chaos-latest.json``): applications
acknowledged and completed, duplicates and losses (both must be 0), the 503s and the longest
stretch of refusals, and the time to heal after each kill.

    python -m bench.chaos [--rate 8] [--down 5] [--outage 60] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.chaos import ChaosRun

RESULTS = Path(__file__).resolve().parent / "results"
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


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rathaus-chaos-") as workdir:
        async with ChaosRun(
            Path(workdir), rate=args.rate, down_seconds=args.down, smtp_delay=0.05
        ) as chaos:
            print(f"suite up ({time.monotonic() - started:.0f} s); load {args.rate}/s", flush=True)
            chaos.start_load()
            await asyncio.sleep(5)
            for round_ in range(1, args.rounds + 1):
                print(f"round {round_}", flush=True)
                for name in KILLED_IN_TURN:
                    await chaos.kill_and_heal(name)
                    await asyncio.sleep(2)
            await chaos.stop_load()
            healed = await chaos.outage_while_sending(count=100, seconds=args.outage)
            print(f"burst complete {healed:.1f} s after NATS came back", flush=True)
            missing = await chaos.wait_complete(600)
            verdict = await chaos.verdict()
    verdict["incomplete"] = len(missing)
    verdict["duplicates"] = sum(
        len(verdict[key]) for key in ("duplicate_mails", "duplicate_files", "duplicate_fees")
    )
    verdict["lost_count"] = len(verdict["lost"])
    return {
        "benchmark": "chaos",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": platform.machine(), "python": sys.version.split()[0]},
        "settings": vars(args),
        "seconds": round(time.monotonic() - started, 1),
        **verdict,
    }


def headline(result: dict[str, Any]) -> str:
    heal = ", ".join(f"{k} {v} s" for k, v in result["heal_seconds"].items())
    return (
        f"{result['acknowledged']} acknowledged, {result['completed']} completed, "
        f"{result['duplicates']} duplicates, {result['lost_count']} lost; "
        f"503s: {result['refused'].get(503, 0)}, connection errors: "
        f"{result['connection_errors']}, longest refusal {result['longest_failure_seconds']} s; "
        f"dead letters: {result['dead_letters'] or 0}; healed after: {heal}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--rate", type=float, default=8.0, help="applications per second")
    parser.add_argument("--down", type=float, default=5.0, help="seconds each part stays dead")
    parser.add_argument("--outage", type=float, default=60.0, help="NATS outage while sending")
    parser.add_argument("--rounds", type=int, default=2, help="times every part is killed")
    result = asyncio.run(run(parser.parse_args()))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "chaos-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(headline(result))
    ok = result["duplicates"] == 0 and result["lost_count"] == 0 and not result["dead_letters"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
