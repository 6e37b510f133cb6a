"""A town's catalogue: its profile and the procedures it offers (decide / evolve, pure).

The desired state comes from the town's member file or an operator's command; deciding
compares it with what the log already says and emits only the differences, so applying the
same file or command twice changes nothing.
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


def state_of(history: list[DomainEvent]) -> Catalogue:
    """The catalogue a town's history adds up to."""
    state = Catalogue()
    for event in history:
        state = evolve(state, event)
    return state


class NotAMember(LookupError):
    """The town has no profile in the catalogue: it must be onboarded first."""


class NotOffered(LookupError):
    """The town does not offer the procedure (there is nothing to withdraw)."""


def decide_profile(state: Catalogue, profile: TownProfilePublished) -> list[DomainEvent]:
    """Publish a town's profile (onboarding a town, or a change of its master data)."""
    return [] if state.profile == profile else [profile]


def decide_offer(state: Catalogue, offered: ProcedureOffered) -> list[DomainEvent]:
    """Offer a procedure (or change how it is offered); a town must be a member first."""
    if state.profile is None:
        raise NotAMember(offered.ags)
    return [] if state.procedures.get(offered.procedure) == offered else [offered]


def decide_withdrawal(state: Catalogue, ags: str, procedure: str) -> list[DomainEvent]:
    """Stop offering a procedure online."""
    if state.profile is None:
        raise NotAMember(ags)
    if procedure not in state.procedures:
        raise NotOffered(procedure)
    return [ProcedureWithdrawn(ags=ags, procedure=procedure)]
