"""A town's casework configuration (pure): from its member file, as a snapshot event.

The member file seeds it; the log's newest snapshot is what counts. Operators re-apply the
member files on purpose (``apply-members``), never a restart by itself.
"""

from __future__ import annotations

from typing import Any

from contracts.base import DomainEvent
from contracts.events.casework import HeardBody, TownCaseworkConfigured

DEFAULT = TownCaseworkConfigured(ags="00000000")
"""What a town without a configuration gets: every case prepared for a clerk."""


def from_member_file(ags: str, section: dict[str, Any]) -> TownCaseworkConfigured:
    """The snapshot a member file's ``[casework]`` section describes."""
    return TownCaseworkConfigured(
        ags=ags,
        automation=section.get("automation", {}),
        processing_days=section.get("processing_days", {}),
        deemed_approval=section.get("deemed_approval", []),
        hearing_days=section.get("hearing_days", DEFAULT.hearing_days),
        bodies={key: HeardBody(**body) for key, body in section.get("bodies", {}).items()},
        parking_zones=section.get("parking_zones", {}),
        desk_email=section.get("desk_email"),
        stale_claim_hours=section.get("stale_claim_hours", DEFAULT.stale_claim_hours),
    )


def decide_configuration(
    recorded: TownCaseworkConfigured | None, wanted: TownCaseworkConfigured, *, seed_only: bool
) -> list[DomainEvent]:
    """A new snapshot if it differs (when seeding: only if none is recorded yet)."""
    if recorded is not None and (seed_only or recorded == wanted):
        return []
    return [wanted]


def current(history: list[DomainEvent]) -> TownCaseworkConfigured | None:
    """The newest snapshot recorded."""
    snapshots = [e for e in history if isinstance(e, TownCaseworkConfigured)]
    return snapshots[-1] if snapshots else None
