"""Which bodies a traffic order's case should hear (pure): the clerk starts from this list.

A traffic order (§45 StVO) is issued after hearing the police; the road authority whose road
it is (the town's configuration names it, if another than the town); public transport where
buses pass — bus stops affected, or a full closure that diverts them; and the fire brigade
for a full closure, whose access routes it cuts. The clerk may hear more or fewer bodies.
"""

from __future__ import annotations

from typing import Any

from contracts.procedures import ProcedureId

POLICE, ROAD_AUTHORITY, PUBLIC_TRANSPORT, FIRE_BRIGADE = (
    "polizei",
    "strassenbaulasttraeger",
    "oepnv",
    "feuerwehr",
)
FULL_CLOSURE = "vollsperrung"


def suggested_bodies(
    procedure: str, form: dict[str, Any] | None, configured: set[str]
) -> list[str]:
    """The bodies to hear, in the order of their hearings, among those the town configured."""
    if procedure != ProcedureId.VERKEHRSRECHTLICHE_ANORDNUNG or not form:
        return []
    traffic = form.get("traffic") or {}
    full_closure = traffic.get("restriction") == FULL_CLOSURE
    wanted = [POLICE, ROAD_AUTHORITY]
    if full_closure or traffic.get("bus_stops_affected"):
        wanted.append(PUBLIC_TRANSPORT)
    if full_closure:
        wanted.append(FIRE_BRIGADE)
    return [body for body in wanted if body in configured]
