"""Start-up hook: delegation agreements from the member files into casework's log."""

from __future__ import annotations

import structlog

from contracts.base import DomainEvent
from contracts.events.casework import DelegationAgreed
from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.casework.aggregates import delegation_ref
from services.casework.domain.delegation import decide_delegation

log = structlog.get_logger(__name__)


async def apply_member_configuration(runtime: Runtime) -> None:
    """Record every configured delegation that the log does not say yet."""
    cause = Cause(actor="system:configuration", correlation_id=new_id())
    for member in read_member_files(runtime.settings.members_dir):
        town = member["town"]["ags"]
        delegations = member.get("casework", {}).get("delegations", {})
        for procedure, towns in sorted(delegations.items()):

            def decide(
                history: list[DomainEvent],
                town: str = town,
                procedure: str = procedure,
                towns: list[str] = towns,
            ) -> list[DomainEvent]:
                agreed = [event for event in history if isinstance(event, DelegationAgreed)]
                return decide_delegation(agreed[-1] if agreed else None, town, procedure, towns)

            if await runtime.store.decide_and_append(
                delegation_ref(town, procedure), decide, cause=cause
            ):
                log.info("delegation agreed", town=town, procedure=procedure, to=towns)
