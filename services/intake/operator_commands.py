"""intake's operator commands on the command line: the catalogue (they call the endpoints).

python -m services.intake offer AGS PROCEDURE --office TEXT [--form-version N] [--contact …]
python -m services.intake withdraw AGS PROCEDURE
python -m services.intake onboard MEMBER_FILE.toml        a town's profile from its member file
python -m services.intake apply-members                   re-apply every member file on purpose
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

from runtime.cli import ServiceCommand
from runtime.operator_client import OperatorClient


def _changed(answer: dict[str, Any]) -> int:
    events = [str(event) for event in answer.get("events") or []]
    print(f"{answer['ags']}: {', '.join(events) or 'unchanged'} (by {answer['by']})")
    return 0


def _offer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ags")
    parser.add_argument("procedure")
    parser.add_argument("--office", required=True, help="the competent office")
    parser.add_argument("--form-version", type=int, default=0, help="default: the current one")
    parser.add_argument("--contact")
    parser.add_argument("--opening-hours")
    parser.add_argument("--fee-hint")


def _offer(client: OperatorClient, args: argparse.Namespace) -> int:
    body = {
        "competent_office": args.office,
        "form_version": args.form_version,
        "contact": args.contact,
        "opening_hours": args.opening_hours,
        "fee_hint": args.fee_hint,
    }
    return _changed(client.put(f"/catalogue/towns/{args.ags}/procedures/{args.procedure}", body))


def _withdraw_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ags")
    parser.add_argument("procedure")


def _withdraw(client: OperatorClient, args: argparse.Namespace) -> int:
    return _changed(client.delete(f"/catalogue/towns/{args.ags}/procedures/{args.procedure}"))


def _onboard_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("member_file", help="a member file with the town's [town] section")


def _onboard(client: OperatorClient, args: argparse.Namespace) -> int:
    town = tomllib.loads(Path(args.member_file).read_text(encoding="utf-8"))["town"]
    return _changed(client.put(f"/catalogue/towns/{town['ags']}", town))


def _apply_members(client: OperatorClient, args: argparse.Namespace) -> int:
    answer = client.post("/catalogue/apply-members")
    changed = answer["changed"] or {}
    print(f"member files applied by {answer['by']}: {len(changed)} town(s) changed")
    for ags, count in sorted(changed.items()):
        print(f"  {ags}: {count} event(s)")
    return 0


COMMANDS = (
    ServiceCommand("offer", "offer a procedure in a town", _offer_arguments, _offer),
    ServiceCommand("withdraw", "withdraw a procedure", _withdraw_arguments, _withdraw),
    ServiceCommand(
        "onboard",
        "publish a town's profile from its member file (a new town)",
        _onboard_arguments,
        _onboard,
    ),
    ServiceCommand(
        "apply-members", "re-apply every member file on purpose", lambda p: None, _apply_members
    ),
)
