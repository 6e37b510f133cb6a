"""Wiring notify together."""

from __future__ import annotations

from runtime.service import Runtime, ServiceParts
from services.notify.api import router
from services.notify.projections import outbox
from services.notify.sender import run_senders


def build(runtime: Runtime) -> ServiceParts:
    """notify's parts, bound to ``runtime``."""
    return ServiceParts(
        title="RathausCloud notify",
        projections=(outbox.projection(runtime),),
        routers=(router(runtime),),
        background=(run_senders,),
    )
