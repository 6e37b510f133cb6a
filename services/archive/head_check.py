"""Check a signed chain head offline: ``python -m services.archive.head_check HEAD KEY``.

HEAD is archive's answer to ``GET /api/v1/towns/{ags}/chain-heads/{day}`` saved as a file (or
``-`` for standard input); KEY is its answer to ``GET /api/v1/chain-heads/key`` saved as a file,
or the public key itself (base64). No network, no database: the signature either covers exactly
this town, day, number of files and chain hash, or it does not. Exit code 0: valid; 1: not
valid; 2: the files cannot be read.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from services.archive.domain.chain_heads import ChainHead, key_id, verify


def _read(source: str) -> str:
    return sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")


def public_key_of(text: str) -> bytes:
    """The raw public key from the key endpoint's JSON or from plain base64."""
    stripped = text.strip()
    value = json.loads(stripped)["public_key"] if stripped.startswith("{") else stripped
    key = base64.b64decode(value, validate=True)
    if len(key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return key


def head_of(document: dict[str, Any]) -> tuple[ChainHead, str]:
    """The head and its signature from the chain-head endpoint's JSON."""
    head = ChainHead(
        town=str(document["town"]),
        day=date.fromisoformat(document["day"]),
        files=int(document["files"]),
        chain_hash=str(document["chain_hash"]),
    )
    return head, str(document["signature"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.archive.head_check", description=__doc__
    )
    parser.add_argument("head", help="the signed head (JSON file, or - for standard input)")
    parser.add_argument("key", help="the public key (the key endpoint's JSON file, or base64)")
    args = parser.parse_args(argv)
    try:
        key_text = args.key if not Path(args.key).is_file() else _read(args.key)
        public_key = public_key_of(key_text)
        head, signature = head_of(json.loads(_read(args.head)))
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return 2
    if verify(public_key, head, signature):
        print(
            f"valid: town {head.town}, end of {head.day}, {head.files} files, chain hash"
            f" {head.chain_hash}, signed by key {key_id(public_key)}"
        )
        return 0
    print(f"NOT valid: the signature does not cover this head (key {key_id(public_key)})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
