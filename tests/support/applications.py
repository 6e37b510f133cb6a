"""Example applications, as a citizen's browser would send them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

WURZEN = "14729410"
AUGUSTUSBURG = "14522020"
EXAMPLE = Path(__file__).parents[2] / "deploy" / "examples" / "gewerbeanmeldung.json"
"""The example the README posts; the tests start from it too, so it stays valid."""


def gewerbeanmeldung(**changes: Any) -> dict[str, Any]:
    """A complete Gewerbeanmeldung in Wurzen that every automated rule accepts, with changes.

    ``form__business__trade_name="X"`` replaces one value by its path.
    """
    merged: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    # The example's start lies a week ahead whenever the tests run (a trade may be
    # registered at most a year ahead of its start, and at most a year late).
    merged["form"]["business"]["start_date"] = (date.today() + timedelta(days=7)).isoformat()
    for path, value in changes.items():
        target = merged
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return merged


async def upload(
    client: Any,
    ags: str,
    procedure: str,
    key: str,
    content: bytes,
    filename: str = "nachweis.pdf",
    content_type: str = "application/pdf",
) -> Any:
    """Upload one file for the application with Idempotency-Key ``key``; the raw answer."""
    return await client.post(
        f"/api/v1/towns/{ags}/procedures/{procedure}/attachments",
        files={"file": (filename, content, content_type)},
        headers={"Idempotency-Key": key},
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
"""A tiny PDF, as far as its first bytes and its end are concerned."""
