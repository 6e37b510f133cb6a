"""Example applications, as a citizen's browser would send them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from contracts.calendar import today

WURZEN = "14729410"
AUGUSTUSBURG = "14522020"
EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"
"""One valid application per procedure (``<procedure id>.json``), all in Wurzen."""
EXAMPLE = EXAMPLES / "gewerbeanmeldung.json"
"""The example the README posts; the tests start from it too, so it stays valid."""

RELATIVE_DATES: dict[str, dict[str, int]] = {
    # A trade may be registered, changed or ended at most a year ahead and a year late.
    "gewerbeanmeldung": {"form__business__start_date": 7},
    "gewerbeummeldung": {"form__business__change_date": 7},
    "gewerbeabmeldung": {"form__business__cessation_date": 7},
    # Two weeks ahead: not urgent (that is within 5 days), and not in the past.
    "verkehrsrechtliche-anordnung": {"form__period__start": 14, "form__period__end": 28},
    "bewohnerparkausweis": {},
    # A dog is registered soon after it comes, and deregistered soon after it goes.
    "hundesteuer-anmeldung": {"form__dog__kept_since": -7},
    "hundesteuer-abmeldung": {"form__ended_on": -3},
    "sondernutzungserlaubnis": {"form__period__start": 14, "form__period__end": 27},
    "maengelmelder": {},
}
"""Per procedure, the example's dates that are days from today whenever the tests run."""


def example(procedure: str, *, on: date | None = None, **changes: Any) -> dict[str, Any]:
    """The example application of a procedure, its dates shifted to today, with changes.

    ``form__business__trade_name="X"`` replaces one value by its path; a dict value given
    as a change replaces the whole group. ``on``: the day the dates are shifted from (a
    unit test that fixes the submission's day); today in Germany by default.
    """
    body: dict[str, Any] = json.loads((EXAMPLES / f"{procedure}.json").read_text("utf-8"))
    day = on or today()
    shifted = {
        path: (day + timedelta(days=days)).isoformat()
        for path, days in RELATIVE_DATES[procedure].items()
    }
    for path, value in {**shifted, **changes}.items():
        target = body
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return body


def gewerbeanmeldung(**changes: Any) -> dict[str, Any]:
    """A complete Gewerbeanmeldung in Wurzen that every automated rule accepts, with changes."""
    return example("gewerbeanmeldung", **changes)


def gewerbeummeldung(**changes: Any) -> dict[str, Any]:
    """A Gewerbeummeldung in Wurzen: the business moves in town and extends its activity."""
    return example("gewerbeummeldung", **changes)


def gewerbeabmeldung(**changes: Any) -> dict[str, Any]:
    """A Gewerbeabmeldung in Wurzen: the business moves to Grimma in a week."""
    return example("gewerbeabmeldung", **changes)


def verkehrsrechtliche_anordnung(**changes: Any) -> dict[str, Any]:
    """A full closure of the Wenceslaigasse in Wurzen for two weeks, from a fortnight on."""
    return example("verkehrsrechtliche-anordnung", **changes)


def bewohnerparkausweis(**changes: Any) -> dict[str, Any]:
    """A resident parking permit in Wurzen's old town for the applicant's own car."""
    return example("bewohnerparkausweis", **changes)


def hundesteuer_anmeldung(**changes: Any) -> dict[str, Any]:
    """A dog registered in Wurzen a week after it came, with a SEPA mandate."""
    return example("hundesteuer-anmeldung", **changes)


def hundesteuer_abmeldung(**changes: Any) -> dict[str, Any]:
    """A dog given away three days ago to a keeper in Bennewitz."""
    return example("hundesteuer-abmeldung", **changes)


def sondernutzungserlaubnis(**changes: Any) -> dict[str, Any]:
    """A scaffold of 18 m² on Wurzen's market square for two weeks, from a fortnight on."""
    return example("sondernutzungserlaubnis", **changes)


def maengelmelder(**changes: Any) -> dict[str, Any]:
    """A pothole in Wurzen, reported by someone who wants status updates."""
    return example("maengelmelder", **changes)


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
