"""What casework's own log says about a town: its casework settings and its delegations.

Read from the log at each use — only what was appended since the last read, which is mostly
nothing (``EventStore.load_kept``) — so a change applies to the very next case or command, in
every replica, without a cache to invalidate.
"""

from __future__ import annotations

from datetime import date

from contracts.events.casework import DelegationAgreed, TownCaseworkConfigured
from runtime.service import Runtime
from services.casework.aggregates import delegation_ref, town_config_ref
from services.casework.domain import delegation, town_config


async def configuration(runtime: Runtime, town: str) -> TownCaseworkConfigured:
    """The town's newest casework settings (every case prepared for a clerk, if none)."""
    loaded = await runtime.store.load_kept(town_config_ref(town))
    return town_config.current([e.event for e in loaded.events]) or town_config.DEFAULT


async def agreements(runtime: Runtime, town: str, procedure: str) -> list[DelegationAgreed]:
    """Every delegation agreement of the town for the procedure, oldest first."""
    loaded = await runtime.store.load_kept(delegation_ref(town, procedure))
    return [e.event for e in loaded.events if isinstance(e.event, DelegationAgreed)]


async def processing_towns(runtime: Runtime, town: str, procedure: str, on: date) -> list[str]:
    """The towns processing ``town``'s cases of ``procedure`` on ``on``, the town first."""
    agreed = await agreements(runtime, town, procedure)
    return delegation.processing_towns(town, delegation.delegates_on(agreed, on))
