"""Example applications, as a citizen's browser would send them."""

from __future__ import annotations

from typing import Any

from devstack.examples import EXAMPLES as EXAMPLES
from devstack.examples import RELATIVE_DATES as RELATIVE_DATES
from devstack.examples import example as example

WURZEN = "14729410"
AUGUSTUSBURG = "14522020"
EXAMPLE = EXAMPLES / "gewerbeanmeldung.json"
"""The example the README posts; the tests start from it too, so it stays valid."""


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
