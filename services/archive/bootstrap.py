"""Wiring archive together."""

from __future__ import annotations

from pathlib import Path

from runtime.service import Runtime, ServiceParts
from services.archive import api_disposal, api_inspection, api_ops
from services.archive.api import router
from services.archive.disposal import run_disposal
from services.archive.erasure import reapply_erasures
from services.archive.filing_plans import adopt_filing_plans
from services.archive.head_signing import run_head_signing
from services.archive.pages import desk_parts
from services.archive.projections import case_records, file_inspection


def build(runtime: Runtime) -> ServiceParts:
    """archive's parts, bound to ``runtime``."""
    desk_routers, install_desk = desk_parts(runtime)  # the clerks' e-file (Akteneinsicht)
    return ServiceParts(
        title="RathausCloud archive",
        projections=(case_records.projection(runtime), file_inspection.projection()),
        routers=(
            router(runtime),
            api_ops.router(runtime),
            api_inspection.api(runtime),
            api_inspection.pages(runtime),
            api_disposal.router(runtime),
            *desk_routers,
        ),
        # Before projections and requests: a restored key bucket loses erased keys again.
        on_start=(_reapply_erasures, adopt_filing_plans),
        migrations=Path(__file__).parent / "migrations",
        background=(run_head_signing, run_disposal),
        configure=(install_desk,),
    )


async def _reapply_erasures(runtime: Runtime) -> None:
    await reapply_erasures(runtime)
