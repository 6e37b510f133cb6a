"""Where casework's aggregates live in its stream."""

from __future__ import annotations

from uuid import UUID

from contracts.naming import Service
from runtime.eventstore import AggregateRef


def case_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """A case of the competent town ``tenant``."""
    return AggregateRef(Service.CASEWORK, tenant, "case", str(case_id))


def delegation_ref(tenant: str, procedure: str) -> AggregateRef:
    """The delegation agreement of a town for one procedure."""
    return AggregateRef(Service.CASEWORK, tenant, "delegation", f"{tenant}-{procedure}")
