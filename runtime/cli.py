"""The command line every service has: serve, and the operator's projection commands.

python -m services.<name>                            run the service (HTTP + projections)
python -m services.<name> projections                projections, checkpoints, leaders, pauses
python -m services.<name> rebuild NAME               rebuild a read model from the log
python -m services.<name> dead-letters [--all]       list dead letters
python -m services.<name> retry ID | --all           apply dead letters again
python -m services.<name> dismiss ID --reason TEXT   close a dead letter without applying it

The operator commands never guess where the installation is: they refuse to run unless
``NATS_URL`` and the service's ``<SVC>_DATABASE_URL`` are set, and they never create a
stream, bucket, database or table.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Mapping

import uvicorn

from contracts.naming import Service
from runtime.deadletters import (
    DeadLetter,
    DeadLetterNotRetried,
    dismiss_dead_letter,
    list_dead_letters,
    retry_dead_letter,
)
from runtime.log import configure_logging
from runtime.operations import NotRebuildable, RebuildFailed, projection_states, rebuild
from runtime.projection import Projection
from runtime.service import NotProvisioned, Runtime, ServiceParts, create_app
from runtime.settings import ServiceSettings


def _parser(service: Service) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m services.{service.value}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service")
    commands.add_parser("projections", help="projections, checkpoints, leaders, pauses")
    rebuild_cmd = commands.add_parser("rebuild", help="rebuild a read model from the log")
    rebuild_cmd.add_argument("projection")
    letters = commands.add_parser("dead-letters", help="list open dead letters")
    letters.add_argument("--all", action="store_true", help="include closed ones")
    retry = commands.add_parser("retry", help="apply a dead letter (or all) again")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int)
    which.add_argument("--all", action="store_true", help="every open dead letter")
    dismiss = commands.add_parser("dismiss", help="close a dead letter without applying it")
    dismiss.add_argument("id", type=int)
    dismiss.add_argument("--reason", required=True, help="why (recorded)")
    return parser


def missing_configuration(service: Service, environ: Mapping[str, str]) -> list[str]:
    """The variables an operator command needs but the environment lacks."""
    needed = ("NATS_URL", f"{service.value.upper()}_DATABASE_URL")
    return [name for name in needed if not environ.get(name)]


def main(
    service: Service,
    settings_factory: Callable[[], ServiceSettings],
    build: Callable[[Runtime], ServiceParts],
    argv: list[str] | None = None,
) -> int:
    """Parse the command line and run the chosen command; returns the exit code."""
    args = _parser(service).parse_args(argv)
    if args.command not in (None, "serve"):
        missing = missing_configuration(service, os.environ)
        if missing:
            print(
                f"python -m services.{service.value} {args.command}: set {' and '.join(missing)}"
                " to the installation's servers first (the values the service runs with);"
                " operator commands never guess a server.",
                file=sys.stderr,
            )
            return 2
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
    try:
        await runtime.connect(provision=False)
    except NotProvisioned as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"error: cannot reach the installation: {type(exc).__name__}: {exc}", file=sys.stderr)
        await runtime.stop()
        return 1
    try:
        return await _command(runtime, parts, args)
    finally:
        await runtime.stop()


async def _command(runtime: Runtime, parts: ServiceParts, args: argparse.Namespace) -> int:
    projections = {p.name: p for p in parts.projections}
    if args.command == "projections":
        await _print_projections(runtime, parts)
        return 0
    if args.command == "rebuild":
        return await _rebuild(runtime, projections, args.projection)
    if args.command == "dead-letters":
        _print_dead_letters(await list_dead_letters(runtime.pool, include_resolved=args.all))
        return 0
    if args.command == "retry":
        return await _retry(runtime, projections, args)
    try:
        await dismiss_dead_letter(runtime.pool, args.id, reason=args.reason, actor=_actor())
    except (LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.id}: dismissed")
    return 0


def _actor() -> str:
    """Who runs the command, as the record names them."""
    return f"operator:{getpass.getuser()}"


async def _rebuild(runtime: Runtime, projections: dict[str, Projection], name: str) -> int:
    if name not in projections:
        print(f"error: unknown projection {name!r}; known: {', '.join(sorted(projections))}")
        return 2

    def progress(stream: str, seq: int) -> None:
        print(f"  {stream}: up to sequence {seq}", flush=True)

    try:
        counts = await rebuild(
            runtime.pool, runtime.js, runtime.ns, runtime.store.codec, projections[name], progress
        )
    except (NotRebuildable, RebuildFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"rebuilt {name}: " + ", ".join(f"{s} {n} commits" for s, n in counts.items()))
    return 0


def _print_dead_letters(letters: list[DeadLetter]) -> None:
    if not letters:
        print("no dead letters")
    for letter in letters:
        state = letter.resolution or "open"
        if letter.resolved_by:
            state += f" by {letter.resolved_by}"
        if letter.reason:
            state += f" ({letter.reason})"
        print(
            f"{letter.id:>6}  {letter.projection}  {letter.stream}#{letter.stream_seq}"
            f"  [{letter.event_types}]  tenant={letter.tenant or '-'}"
            f"  correlation={letter.correlation_id or '-'}  trace={letter.trace_id or '-'}"
            f"  attempts={letter.attempts}  {state}\n        {letter.error}"
        )


async def _retry(
    runtime: Runtime, projections: dict[str, Projection], args: argparse.Namespace
) -> int:
    ids = [d.id for d in await list_dead_letters(runtime.pool)] if args.all else [args.id]
    failed = 0
    for dead_letter_id in ids:
        try:
            applied = await retry_dead_letter(
                runtime.pool,
                runtime.js,
                projections,
                runtime.store.codec,
                dead_letter_id,
                actor=_actor(),
            )
            print(f"{dead_letter_id}: applied (with {applied - 1} later commits of its aggregate)")
        except (DeadLetterNotRetried, LookupError) as exc:
            failed += 1
            print(f"{dead_letter_id}: failed again: {exc}", file=sys.stderr)
    return 1 if failed else 0


async def _print_projections(runtime: Runtime, parts: ServiceParts) -> None:
    for state in await projection_states(runtime.pool, list(parts.projections)):
        checkpoints = ", ".join(f"{s}@{n}" for s, n in state.checkpoints.items())
        kind = state.kind if state.kind == "read model" else "reaction (cannot be rebuilt)"
        print(f"{state.name:<20} {kind:<29} {checkpoints or 'not started'}")
        for stream, lease in state.leases.items():
            line = f"    {stream}: leader {lease['holder']} (epoch {lease['epoch']})"
            if lease["paused"]:
                line += f"  PAUSED: {lease['paused']}"
            print(line)
        if state.open_dead_letters:
            print(f"    {state.open_dead_letters} open dead letter(s)")
