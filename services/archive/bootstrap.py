"""Wiring archive together."""

from __future__ import annotations

from runtime.service import Runtime, ServiceParts
from services.archive.api import router
from services.archive.erasure import reapply_erasures
from services.archive.projections import case_records
from services.archive.settings import ArchiveSettings


def build(runtime: Runtime) -> ServiceParts:
    """archive's parts, bound to ``runtime``."""
    settings = runtime.settings
    assert isinstance(settings, ArchiveSettings)
    return ServiceParts(
        title="RathausCloud archive",
        projections=(case_records.projection(runtime),),
        routers=(router(runtime, settings),),
        # Before projections and requests: a restored key bucket loses erased keys again.
        on_start=(_reapply_erasures,),
    )


async def _reapply_erasures(runtime: Runtime) -> None:
    await reapply_erasures(runtime)
