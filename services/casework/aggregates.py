"""Where casework's aggregates live in its stream."""

from __future__ import annotations

from uuid import UUID

from contracts.naming import Service
from runtime.eventstore import AggregateRef


def case_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """A case, in the stream of the town it was applied to (for a defect report in another
    town, that town is the competent one: ``CaseOpened.competent_town``)."""
    return AggregateRef(Service.CASEWORK, tenant, "case", str(case_id))


def delegation_ref(tenant: str, procedure: str) -> AggregateRef:
    """The delegation agreements of a town for one procedure."""
    return AggregateRef(Service.CASEWORK, tenant, "delegation", f"{tenant}-{procedure}")


def town_config_ref(tenant: str) -> AggregateRef:
    """How a town has its cases handled (``TownCaseworkConfigured``)."""
    return AggregateRef(Service.CASEWORK, tenant, "town-config", tenant)
