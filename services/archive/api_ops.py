"""archive's operator commands beyond erasure: re-wrapping the data keys after a KEK change.

``POST /ops/v1/keys/rewrap`` re-wraps every live data key under the current KEK
(``RATHAUS_DATA_KEK``), reading keys wrapped with an earlier one (``RATHAUS_DATA_KEK_PREVIOUS``).
It runs in archive because only archive may write over keys in the bucket.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import structlog
from fastapi import APIRouter

from runtime.auth import Operator
from runtime.datakeys import rewrap_all
from runtime.http import JsonRoute, error_responses
from runtime.service import Runtime

log = structlog.get_logger(__name__)


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/ops/v1", tags=["operator"], route_class=JsonRoute)

    @api.post("/keys/rewrap", responses=error_responses(401, 403, 503))
    async def rewrap(operator: Operator) -> dict[str, Any]:
        """Re-wrap every data key under the current KEK (idempotent); says what it did."""
        settings = runtime.settings
        report = await rewrap_all(runtime.js, runtime.ns, settings.kek, settings.previous_keks)
        log.warning(
            "data keys re-wrapped", by=operator.operator_actor, **dataclasses.asdict(report)
        )
        return {**dataclasses.asdict(report), "by": operator.operator_actor}

    return api
