"""Delegation agreements between member towns (pure): who may process whose cases."""

from __future__ import annotations

from contracts.base import DomainEvent
from contracts.events.casework import DelegationAgreed


def decide_delegation(
    current: DelegationAgreed | None, town: str, procedure: str, processing_towns: list[str]
) -> list[DomainEvent]:
    """A new agreement when the configured processing towns differ from the recorded ones."""
    wanted = sorted(set(processing_towns) - {town})
    recorded = sorted(current.processing_towns) if current else None
    if recorded == wanted or (current is None and not wanted):
        return []
    return [DelegationAgreed(delegating_town=town, procedure=procedure, processing_towns=wanted)]


def processing_towns(town: str, delegates: list[str]) -> list[str]:
    """The competent town first, then the towns it delegated to."""
    return [town, *[other for other in delegates if other != town]]
