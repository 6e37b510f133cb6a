"""Delegation agreements between member towns (pure): who may process whose cases.

"Town A lets town B — or a pool of towns — process its cases of procedure P, from D (until
E)." Each agreement is an event on the aggregate of (A, P); the one in force on a day is the
newest whose validity covers it, so an agreement starting next month leaves today's in force
until then, and one that ends gives way to the one before. A new agreement applies to cases
opened from then on; open cases move only by an explicit, recorded ``CaseMoved``.
"""

from __future__ import annotations

from datetime import date

from contracts.base import DomainEvent
from contracts.events.casework import DelegationAgreed
from services.casework.domain.refusals import Refused


def in_force(agreement: DelegationAgreed, on: date) -> bool:
    """Whether the agreement's validity covers the day ``on``."""
    starts = agreement.valid_from is None or agreement.valid_from <= on
    ends = agreement.valid_until is None or on <= agreement.valid_until
    return starts and ends


def delegates_on(agreements: list[DelegationAgreed], on: date) -> list[str]:
    """The towns processing the town's cases on ``on`` besides itself (newest in force)."""
    for agreement in reversed(agreements):
        if in_force(agreement, on):
            return list(agreement.processing_towns)
    return []


def _towns(town: str, processing_towns: list[str]) -> list[str]:
    return sorted(set(processing_towns) - {town})


def decide_agreement(
    agreements: list[DelegationAgreed],
    town: str,
    procedure: str,
    processing_towns: list[str],
    *,
    valid_from: date | None,
    valid_until: date | None,
    agreed_by: str,
) -> list[DomainEvent]:
    """A supervisor's or operator's new agreement; the same as the newest changes nothing."""
    if valid_from and valid_until and valid_until < valid_from:
        raise Refused.invalid(
            "validity", "Das Ende liegt vor dem Beginn der Vereinbarung.", "valid_until"
        )
    wanted = _towns(town, processing_towns)
    newest = agreements[-1] if agreements else None
    if newest is not None and (
        sorted(newest.processing_towns),
        newest.valid_from,
        newest.valid_until,
    ) == (wanted, valid_from, valid_until):
        return []
    return [
        DelegationAgreed(
            delegating_town=town,
            procedure=procedure,
            processing_towns=wanted,
            valid_from=valid_from,
            valid_until=valid_until,
            agreed_by=agreed_by,
        )
    ]


def seed_delegation(
    agreements: list[DelegationAgreed], town: str, procedure: str, processing_towns: list[str]
) -> list[DomainEvent]:
    """The member file's agreement, recorded only where the log has none for (town, procedure):
    a restart never reverts what a supervisor or operator agreed since."""
    wanted = _towns(town, processing_towns)
    if agreements or not wanted:
        return []
    return [
        DelegationAgreed(
            delegating_town=town,
            procedure=procedure,
            processing_towns=wanted,
            agreed_by="system:configuration",
        )
    ]


def processing_towns(town: str, delegates: list[str]) -> list[str]:
    """The competent town first, then the towns it delegated to."""
    return [town, *[other for other in delegates if other != town]]
