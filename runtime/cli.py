"""The command line every service has: serve, and the operator's projection commands.

python -m services.<name>                       run the service (HTTP + projections)
python -m services.<name> projections           list projections and their checkpoints
python -m services.<name> rebuild NAME          rebuild a read model from the log
python -m services.<name> dead-letters [--all]  list dead letters
python -m services.<name> retry ID|--all        apply dead letters again
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

import uvicorn

from contracts.naming import Service
from runtime.log import configure_logging
from runtime.operations import (
    DeadLetterNotRetried,
    list_dead_letters,
    rebuild,
    retry_dead_letter,
)
from runtime.service import Runtime, ServiceParts, create_app
from runtime.settings import ServiceSettings


def main(
    service: Service,
    settings_factory: Callable[[], ServiceSettings],
    build: Callable[[Runtime], ServiceParts],
    argv: list[str] | None = None,
) -> int:
    """Parse the command line and run the chosen command; returns the exit code."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{service.value}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service")
    commands.add_parser("projections", help="list projections and checkpoints")
    rebuild_cmd = commands.add_parser("rebuild", help="rebuild a read model from the log")
    rebuild_cmd.add_argument("projection")
    letters = commands.add_parser("dead-letters", help="list dead letters")
    letters.add_argument("--all", action="store_true", help="include resolved ones")
    retry = commands.add_parser("retry", help="retry dead letters")
    retry.add_argument("id", nargs="?", type=int)
    retry.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    settings = settings_factory()
    if args.command in (None, "serve"):
        app = create_app(service, settings, build)
        config = uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        uvicorn.Server(config).run()
        return 0
    configure_logging(service.value, "warning")
    return asyncio.run(_operate(service, settings, build, args))


async def _operate(
    service: Service,
    settings: ServiceSettings,
    build: Callable[[Runtime], ServiceParts],
    args: argparse.Namespace,
) -> int:
    runtime = Runtime(service, settings)
    parts = build(runtime)
    projections = {p.name: p for p in parts.projections}
    await runtime.connect()
    try:
        if args.command == "projections":
            await _print_projections(runtime, parts)
        elif args.command == "rebuild":
            if args.projection not in projections:
                print(f"unknown projection {args.projection!r}; known: {sorted(projections)}")
                return 2

            def progress(stream: str, seq: int) -> None:
                print(f"  {stream}: up to sequence {seq}", flush=True)

            counts = await rebuild(
                runtime.pool,
                runtime.js,
                runtime.ns,
                runtime.store.codec,
                projections[args.projection],
                progress,
            )
            print(f"rebuilt {args.projection}: {counts}")
        elif args.command == "dead-letters":
            for letter in await list_dead_letters(runtime.pool, include_resolved=args.all):
                state = letter.resolution or "open"
                print(
                    f"{letter.id:>6}  {letter.projection}  {letter.stream}#{letter.stream_seq}"
                    f"  [{letter.event_types}]  attempts={letter.attempts}  {state}"
                    f"\n        {letter.error}"
                )
        elif args.command == "retry":
            return await _retry(runtime, projections, args)
        return 0
    finally:
        await runtime.stop()


async def _retry(runtime: Runtime, projections: dict, args: argparse.Namespace) -> int:  # type: ignore[type-arg]
    ids = [args.id] if args.id else [d.id for d in await list_dead_letters(runtime.pool)]
    failed = 0
    for dead_letter_id in ids:
        try:
            await retry_dead_letter(runtime.pool, projections, runtime.store.codec, dead_letter_id)
            print(f"{dead_letter_id}: applied")
        except (DeadLetterNotRetried, LookupError) as exc:
            failed += 1
            print(f"{dead_letter_id}: failed again: {exc}", file=sys.stderr)
    return 1 if failed else 0


async def _print_projections(runtime: Runtime, parts: ServiceParts) -> None:
    for projection in parts.projections:
        rows = (
            await runtime.pool.fetch(
                f'SELECT stream, last_seq FROM "{projection.schema}".rc_checkpoint ORDER BY stream'
            )
            if await runtime.pool.fetchval(
                "SELECT to_regclass($1) IS NOT NULL", f'"{projection.schema}".rc_checkpoint'
            )
            else []
        )
        checkpoints = ", ".join(f"{r['stream']}@{r['last_seq']}" for r in rows) or "not started"
        kind = "read model" if projection.rebuildable else "reaction"
        print(f"{projection.name:<24} {kind:<10} {checkpoints}")
