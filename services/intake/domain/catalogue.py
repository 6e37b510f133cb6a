"""A town's catalogue: its profile and the procedures it offers (decide / evolve, pure).

The desired state comes from the town's member file; deciding compares it with what the
log already says and emits only the differences, so applying the same file twice changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from contracts.base import DomainEvent
from contracts.events.intake import ProcedureOffered, ProcedureWithdrawn, TownProfilePublished


@dataclass(frozen=True)
class Catalogue:
    """What the log says about one town."""

    profile: TownProfilePublished | None = None
    procedures: dict[str, ProcedureOffered] = field(default_factory=dict)


def evolve(state: Catalogue, event: DomainEvent) -> Catalogue:
    """The catalogue after ``event``."""
    if isinstance(event, TownProfilePublished):
        return replace(state, profile=event)
    if isinstance(event, ProcedureOffered):
        return replace(state, procedures={**state.procedures, event.procedure: event})
    if isinstance(event, ProcedureWithdrawn):
        rest = {k: v for k, v in state.procedures.items() if k != event.procedure}
        return replace(state, procedures=rest)
    return state


def decide_configuration(
    state: Catalogue,
    profile: TownProfilePublished,
    procedures: dict[str, ProcedureOffered],
) -> list[DomainEvent]:
    """Events that bring the log's catalogue to the configured one (none if equal)."""
    events: list[DomainEvent] = []
    if state.profile != profile:
        events.append(profile)
    for name, offered in sorted(procedures.items()):
        if state.procedures.get(name) != offered:
            events.append(offered)
    for name in sorted(set(state.procedures) - set(procedures)):
        events.append(ProcedureWithdrawn(ags=profile.ags, procedure=name))
    return events
