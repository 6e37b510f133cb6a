"""Wiring casework together."""

from __future__ import annotations

from runtime.service import Runtime, ServiceParts
from services.casework.configuration import seed_member_configuration
from services.casework.projections import case_opening, cases


def build(runtime: Runtime) -> ServiceParts:
    """casework's parts, bound to ``runtime``."""
    return ServiceParts(
        title="RathausCloud casework",
        projections=(case_opening.projection(runtime), cases.projection(runtime)),
        on_start=(seed_member_configuration,),
    )
