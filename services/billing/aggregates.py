"""Where billing's aggregates live in its stream."""

from __future__ import annotations

from uuid import UUID

from contracts.naming import Service
from runtime.eventstore import AggregateRef


def schedule_ref(town: str) -> AggregateRef:
    """A town's fee schedule."""
    return AggregateRef(Service.BILLING, town, "fee-schedule", town)


def fee_ref(town: str, case_id: UUID) -> AggregateRef:
    """The fee of one case."""
    return AggregateRef(Service.BILLING, town, "fee", str(case_id))


def clarification_ref(town: str, item_id: str) -> AggregateRef:
    """Money on a town's account awaiting a clerk's clarification."""
    return AggregateRef(Service.BILLING, town, "clarification", item_id)


def online_payment_ref(town: str, payment_id: UUID) -> AggregateRef:
    """One online payment of a claim, from its start to its end at the provider."""
    return AggregateRef(Service.BILLING, town, "online-payment", str(payment_id))


def dog_ref(town: str, dog_id: UUID) -> AggregateRef:
    """A dog in the town's dog-tax register (its id: the registration's case)."""
    return AggregateRef(Service.BILLING, town, "dog", str(dog_id))
