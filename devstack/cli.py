"""The development commands: ``start`` the suite, ``test`` it, or run just the ``mailbox``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from devstack.console import Console
from devstack.suite import MAILBOX_PORT, ROOT, SERVICE_NAMES, SMTP_PORT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 rathaus.py",
        description="Develop RathausCloud: start the whole suite locally, or test it.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    start = commands.add_parser(
        "start", help="start the whole suite with embedded NATS and PostgreSQL"
    )
    start.add_argument(
        "--only",
        action="append",
        metavar="SERVICE",
        help=f"start only these services (repeat or comma-separate; of {', '.join(SERVICE_NAMES)})",
    )
    start.add_argument("--data-dir", type=Path, default=ROOT / ".rathaus", help="default: .rathaus")
    start.add_argument(
        "--ready-timeout", type=float, default=90.0, help="seconds to wait for /readyz"
    )
    test = commands.add_parser(
        "test",
        help="ruff, mypy and pytest (other arguments go to pytest)",
        description="Runs ruff check, ruff format --check, mypy and pytest. Arguments this "
        "command does not know are passed to pytest, e.g. `test -k towns -x`.",
    )
    test.add_argument("--no-lint", action="store_true", help="skip ruff and mypy")
    mailbox = commands.add_parser("mailbox", help="run only the mail sink and its web mailbox")
    mailbox.add_argument("--smtp-port", type=int, default=SMTP_PORT)
    mailbox.add_argument("--web-port", type=int, default=MAILBOX_PORT)
    mailbox.add_argument("--data-dir", type=Path, default=ROOT / ".rathaus")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["test"] and not {"-h", "--help"} & set(arguments):
        # Everything but our own flag goes to pytest verbatim: pytest's options are many,
        # and argparse would misread some of them (abbreviations, values after flags).
        from devstack.checks import run_checks

        return run_checks(
            [a for a in arguments[1:] if a != "--no-lint"], lint="--no-lint" not in arguments
        )
    args = _parser().parse_args(arguments)
    if args.command == "start":
        from devstack.start import StartOptions, run_start

        return run_start(StartOptions(args.only, args.data_dir, args.ready_timeout))
    return _mailbox(args.data_dir, args.smtp_port, args.web_port)


def _mailbox(data_dir: Path, smtp_port: int, web_port: int) -> int:
    """Run the mail sink alone until Ctrl-C."""
    from devstack.mailbox import MailSink
    from devstack.ports import choose_port

    out = Console()
    smtp = choose_port(smtp_port)
    sink = MailSink.start(data_dir / "mail", smtp, choose_port(web_port, {smtp}))
    out.say(f"Mail sink: SMTP {sink.smtp_url}, mailbox {sink.web.url}. Ctrl-C stops it.")
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    while not stopped.wait(1.0):
        pass
    sink.stop()
    return 0
