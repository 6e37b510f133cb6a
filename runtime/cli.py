"""The command line every service has: serve, and the operator's projection commands.

python -m services.<name>                            run the service (HTTP + projections)
python -m services.<name> projections                projections, checkpoints, leaders, pauses
python -m services.<name> rebuild NAME               rebuild a read model from the log
python -m services.<name> dead-letters [--all]       list dead letters
python -m services.<name> retry ID | --all           apply dead letters again
python -m services.<name> dismiss ID --reason TEXT   close a dead letter without applying it

The operator commands call the running service's ``/ops/v1`` endpoints (``runtime.
operator_api``) with the operator's token, so the service records who did what. They never
guess where the installation is: the service's URL comes from ``--url`` or ``<SVC>_URL``,
the token from ``RATHAUS_OPERATOR_TOKEN`` or by client credentials from
``RATHAUS_OIDC_ISSUER`` with ``RATHAUS_OPERATOR_CLIENT_ID`` / ``_SECRET``
(``runtime.operator_client``); without them they refuse, naming what is missing. They touch
no database and no stream themselves.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn

from contracts.naming import Service
from runtime.operator_client import (
    OperatorClient,
    OperatorError,
    missing_configuration,
    operator_token,
    url_variable,
)
from runtime.service import Runtime, ServiceParts, create_app
from runtime.settings import ServiceSettings, load_settings


@dataclass(frozen=True)
class ServiceCommand:
    """An operator command of one service: its arguments, and the endpoint call it makes."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[OperatorClient, argparse.Namespace], int]


def _parser(service: Service, extra: Sequence[ServiceCommand] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m services.{service.value}")
    target = argparse.ArgumentParser(add_help=False)
    target.add_argument("--url", help=f"the service's address (default: ${url_variable(service)})")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service")

    def operator_command(name: str, about: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=about, parents=[target])

    operator_command("projections", "projections, checkpoints, leaders, pauses")
    rebuild_cmd = operator_command("rebuild", "rebuild a read model from the log")
    rebuild_cmd.add_argument("projection")
    letters = operator_command("dead-letters", "list open dead letters")
    letters.add_argument("--all", action="store_true", help="include closed ones")
    retry = operator_command("retry", "apply a dead letter (or all) again")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int)
    which.add_argument("--all", action="store_true", help="every open dead letter")
    dismiss = operator_command("dismiss", "close a dead letter without applying it")
    dismiss.add_argument("id", type=int)
    dismiss.add_argument("--reason", required=True, help="why (recorded)")
    for command in extra:
        command.arguments(operator_command(command.name, command.help))
    return parser


def main(
    service: Service,
    settings_factory: Callable[[], ServiceSettings],
    build: Callable[[Runtime], ServiceParts],
    argv: list[str] | None = None,
    commands: Sequence[ServiceCommand] = (),
) -> int:
    """Parse the command line and run the chosen command; returns the exit code."""
    args = _parser(service, commands).parse_args(argv)
    if args.command in (None, "serve"):
        return _serve(service, load_settings(settings_factory), build)
    missing = missing_configuration(service, args.url, os.environ)
    if missing:
        print(
            f"python -m services.{service.value} {args.command}: set {' and '.join(missing)}"
            " first: the service's address and the operator's token. Operator commands never"
            " guess a server.",
            file=sys.stderr,
        )
        return 2
    try:
        token = operator_token(os.environ)
        client = OperatorClient(args.url or os.environ[url_variable(service)], token)
        own = {command.name: command for command in commands}
        if args.command in own:
            return own[args.command].run(client, args)
        return _command(client, args)
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _serve(
    service: Service, settings: ServiceSettings, build: Callable[[Runtime], ServiceParts]
) -> int:
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


def _command(client: OperatorClient, args: argparse.Namespace) -> int:
    if args.command == "projections":
        _print_projections(client.get("/projections"))
        return 0
    if args.command == "rebuild":
        return _rebuild(client, args.projection)
    if args.command == "dead-letters":
        _print_dead_letters(client.get("/dead-letters", all=str(args.all).lower()))
        return 0
    if args.command == "retry":
        return _retry(client, args)
    client.post(f"/dead-letters/{args.id}/dismiss", {"reason": args.reason})
    print(f"{args.id}: dismissed")
    return 0


def _rebuild(client: OperatorClient, name: str) -> int:
    print(f"rebuilding {name} (the live read model keeps serving) …", flush=True)
    try:
        done = client.post(f"/projections/{name}/rebuild", timeout=None)
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if exc.status == 404 else 1
    counts = done["commits"]
    print(f"rebuilt {name}: " + ", ".join(f"{s} {n} commits" for s, n in counts.items()))
    return 0


def _print_dead_letters(letters: list[dict[str, Any]]) -> None:
    if not letters:
        print("no dead letters")
    for letter in letters:
        state = letter["resolution"] or "open"
        if letter["resolved_by"]:
            state += f" by {letter['resolved_by']}"
        if letter["reason"]:
            state += f" ({letter['reason']})"
        print(
            f"{letter['id']:>6}  {letter['projection']}  {letter['stream']}#{letter['stream_seq']}"
            f"  [{letter['event_types']}]  tenant={letter['tenant'] or '-'}"
            f"  correlation={letter['correlation_id'] or '-'}  trace={letter['trace_id'] or '-'}"
            f"  attempts={letter['attempts']}  {state}\n        {letter['error']}"
        )


def _retry(client: OperatorClient, args: argparse.Namespace) -> int:
    ids = [d["id"] for d in client.get("/dead-letters")] if args.all else [args.id]
    failed = 0
    for dead_letter_id in ids:
        try:
            done = client.post(f"/dead-letters/{dead_letter_id}/retry")
        except OperatorError as exc:
            if exc.status in (401, 403, 503, None):
                raise
            failed += 1
            print(f"{dead_letter_id}: failed again: {exc}", file=sys.stderr)
            continue
        later = done["applied"] - 1
        print(f"{dead_letter_id}: applied (with {later} later commits of its aggregate)")
    return 1 if failed else 0


def _print_projections(states: list[dict[str, Any]]) -> None:
    for state in states:
        checkpoints = ", ".join(f"{s}@{n}" for s, n in state["checkpoints"].items())
        kind = state["kind"] if state["kind"] == "read model" else "reaction (cannot be rebuilt)"
        print(f"{state['name']:<20} {kind:<29} {checkpoints or 'not started'}")
        for stream, lease in state["leases"].items():
            line = f"    {stream}: leader {lease['holder']} (epoch {lease['epoch']})"
            if lease["paused"]:
                line += f"  PAUSED: {lease['paused']}"
            print(line)
        if state["open_dead_letters"]:
            print(f"    {state['open_dead_letters']} open dead letter(s)")
