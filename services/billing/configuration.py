"""Start-up hook: fee schedules from the member files into billing's log."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import structlog

from contracts.base import DomainEvent
from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.billing.aggregates import schedule_ref
from services.billing.domain.fees import decide_schedule

log = structlog.get_logger(__name__)


async def apply_member_configuration(runtime: Runtime) -> None:
    """Adopt every configured fee schedule that differs from the recorded one."""
    cause = Cause(actor="system:configuration", correlation_id=new_id())
    for member in read_member_files(runtime.settings.members_dir):
        town = member["town"]["ags"]
        try:
            fees = {
                name: Decimal(str(value)).quantize(Decimal("0.01"))
                for name, value in member.get("billing", {}).get("fees", {}).items()
            }
        except InvalidOperation:
            log.error("member file has an invalid fee", town=town)
            continue

        def decide(
            history: list[DomainEvent], town: str = town, fees: dict[str, Decimal] = fees
        ) -> list[DomainEvent]:
            return decide_schedule(history, town, fees)

        if await runtime.store.decide_and_append(schedule_ref(town), decide, cause=cause):
            log.info("fee schedule adopted", town=town, fees={k: str(v) for k, v in fees.items()})
