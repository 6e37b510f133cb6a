"""archive's operator commands on the command line (they call the service's endpoints)."""

from __future__ import annotations

import argparse

from runtime.cli import ServiceCommand
from runtime.operator_client import OperatorClient


def _erase_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_id")
    parser.add_argument("--reason", required=True, help="why (recorded in the erasure)")


def _erase(client: OperatorClient, args: argparse.Namespace) -> int:
    answer = client.post("/api/v1/erasures", {"case_id": args.case_id, "reason": args.reason})
    state = "was erased before" if answer.get("already_erased") else "erased"
    print(f"{args.case_id}: personal data {state}")
    return 0


def _rewrap(client: OperatorClient, args: argparse.Namespace) -> int:
    report = client.post("/keys/rewrap", timeout=None)
    print(
        f"re-wrapped {report['rewrapped']}, already current {report['current']},"
        f" erased {report['erased']}, changed meanwhile {report['raced']}"
    )
    if report.get("unreadable"):
        print(f"not readable with any configured KEK: {', '.join(report['unreadable'])}")
        return 1
    return 0


COMMANDS = (
    ServiceCommand("erase", "erase a case's personal data everywhere", _erase_arguments, _erase),
    ServiceCommand(
        "rewrap-keys", "re-wrap every data key under the current KEK", lambda p: None, _rewrap
    ),
)
