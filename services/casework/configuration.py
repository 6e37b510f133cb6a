"""Start-up hook and operator command: member files' casework sections into casework's log.

At start only what the log does not know yet is recorded (seed): agreements and settings
changed since on the running suite stay. ``apply_member_configuration(..., seed_only=False)``
— the operator's ``apply-members`` — records every difference from the files.
"""

from __future__ import annotations

import structlog

from contracts.base import DomainEvent
from contracts.events.casework import DelegationAgreed, TownCaseworkConfigured
from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.casework.aggregates import delegation_ref, town_config_ref
from services.casework.domain import town_config
from services.casework.domain.delegation import decide_agreement, seed_delegation

log = structlog.get_logger(__name__)


async def apply_member_configuration(
    runtime: Runtime, *, seed_only: bool = True, actor: str = "system:configuration"
) -> int:
    """Record the member files' delegations and settings; returns how many changed."""
    cause = Cause(actor=actor, correlation_id=new_id())
    changed = 0
    for member in read_member_files(runtime.settings.members_dir):
        town = member["town"]["ags"]
        section = member.get("casework", {})
        wanted = town_config.from_member_file(town, section)

        def configure(
            history: list[DomainEvent], wanted: TownCaseworkConfigured = wanted
        ) -> list[DomainEvent]:
            return town_config.decide_configuration(
                town_config.current(history), wanted, seed_only=seed_only
            )

        if await runtime.store.decide_and_append(town_config_ref(town), configure, cause=cause):
            changed += 1
            log.info("casework configured", town=town)
        for procedure, towns in sorted(section.get("delegations", {}).items()):

            def delegate(
                history: list[DomainEvent],
                town: str = town,
                procedure: str = procedure,
                towns: list[str] = towns,
            ) -> list[DomainEvent]:
                agreed = [e for e in history if isinstance(e, DelegationAgreed)]
                if seed_only:
                    return seed_delegation(agreed, town, procedure, towns)
                return decide_agreement(
                    agreed,
                    town,
                    procedure,
                    towns,
                    valid_from=None,
                    valid_until=None,
                    agreed_by=actor,
                )

            if await runtime.store.decide_and_append(
                delegation_ref(town, procedure), delegate, cause=cause
            ):
                changed += 1
                log.info("delegation agreed", town=town, procedure=procedure, to=towns)
    return changed


async def seed_member_configuration(runtime: Runtime) -> None:
    """At start: record what the member files say and the log does not know yet."""
    await apply_member_configuration(runtime, seed_only=True)
