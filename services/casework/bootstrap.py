"""Wiring casework together."""

from __future__ import annotations

from pathlib import Path

from runtime.service import Runtime, ServiceParts
from services.casework.api import cases, delegations, hearing_link, queue
from services.casework.configuration import seed_member_configuration
from services.casework.pages import desk_parts
from services.casework.projections import (
    applicant_actions,
    case_messages,
    case_opening,
    decision_dispatch,
    decision_letters,
    desk_cases,
)
from services.casework.timers import run_timers


def build(runtime: Runtime) -> ServiceParts:
    """casework's parts, bound to ``runtime``."""
    desk_routers, install_desk = desk_parts(runtime)
    return ServiceParts(
        title="RathausCloud casework",
        projections=(
            case_opening.projection(runtime),
            applicant_actions.projection(runtime),
            desk_cases.projection(runtime),
            decision_letters.projection(runtime),
            decision_dispatch.projection(runtime),
            case_messages.projection(runtime),
        ),
        routers=(
            queue.router(runtime),
            cases.router(runtime),
            delegations.router(runtime),
            hearing_link.router(runtime),
            *desk_routers,
        ),
        migrations=Path(__file__).parent / "migrations",
        on_start=(seed_member_configuration,),
        background=(run_timers,),
        configure=(install_desk,),
    )
