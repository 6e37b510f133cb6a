"""Changing the catalogue: the member files seed it, operators change it, restarts leave it.

The member files (``deploy/members/``) describe a new installation: at start, a town whose
catalogue the log does not know yet is seeded from its file. From then on the log is the
truth, and it changes only by an operator's command — onboarding a town, offering or
withdrawing a procedure, re-applying the member files on purpose — so a restart never
reverts what an operator did. Every change is an event naming who made it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from pydantic import ValidationError

from contracts.base import DomainEvent
from contracts.events.intake import ProcedureOffered, TownProfilePublished
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.intake.commands import town_ref
from services.intake.domain import catalogue

log = structlog.get_logger(__name__)

Decide = Callable[[catalogue.Catalogue], list[DomainEvent]]


def desired_catalogue(
    member: dict[str, Any],
) -> tuple[TownProfilePublished, dict[str, ProcedureOffered]]:
    """The profile and procedures a member file configures (raises ``ValidationError``)."""
    town = member["town"]
    profile = TownProfilePublished.model_validate(town)
    offered = {
        name: ProcedureOffered(ags=profile.ags, procedure=name, **config)
        for name, config in member.get("intake", {}).get("procedures", {}).items()
    }
    return profile, offered


async def change(runtime: Runtime, ags: str, decide: Decide, actor: str) -> list[DomainEvent]:
    """Decide on a town's catalogue and append what changes (retrying on a conflict)."""
    ref: AggregateRef = town_ref(ags)

    def on_history(history: list[DomainEvent]) -> list[DomainEvent]:
        return decide(catalogue.state_of(history))

    cause = Cause(actor=actor, correlation_id=new_id())
    events = await runtime.store.decide_and_append(ref, on_history, cause=cause)
    if events:
        log.info("catalogue changed", ags=ags, actor=actor, events=[e.type_name for e in events])
    return events


async def apply_members(runtime: Runtime, actor: str, *, only_new: bool) -> dict[str, int]:
    """Bring the member files' towns into the log: all of them, or only unknown ones."""
    applied: dict[str, int] = {}
    for member in read_member_files(runtime.settings.members_dir):
        try:
            profile, offered = desired_catalogue(member)
        except ValidationError as exc:
            log.error("member file invalid", ags=member["town"].get("ags"), error=str(exc))
            continue

        def decide(
            state: catalogue.Catalogue,
            profile: TownProfilePublished = profile,
            offered: dict[str, ProcedureOffered] = offered,
        ) -> list[DomainEvent]:
            if only_new and state.profile is not None:
                return []  # known: what operators did since must stand
            return catalogue.decide_configuration(state, profile, offered)

        applied[profile.ags] = len(await change(runtime, profile.ags, decide, actor))
    return applied


async def seed_members(runtime: Runtime) -> None:
    """Start-up hook: seed the towns the log does not know yet from their member files."""
    await apply_members(runtime, "system:configuration", only_new=True)
