"""Start-up hook: fee schedules from the member files into billing's log.

A member file's ``[billing]`` section is checked as a whole (``domain.member_billing``); a
broken one is logged with every mistake named and the town keeps the schedule it has.
"""

from __future__ import annotations

import structlog

from contracts.base import DomainEvent
from contracts.calendar import today
from contracts.events.billing import FeeScheduleAdopted
from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.billing.aggregates import schedule_ref
from services.billing.domain.fees import decide_adoption
from services.billing.domain.member_billing import BillingSectionInvalid, adopted, read_billing

log = structlog.get_logger(__name__)


async def apply_member_configuration(runtime: Runtime) -> None:
    """Adopt every configured fee schedule that differs from the recorded one."""
    cause = Cause(actor="system:configuration", correlation_id=new_id())
    for member in read_member_files(runtime.settings.members_dir):
        town = member["town"]["ags"]
        try:
            wanted = adopted(read_billing(member), town, today())
        except BillingSectionInvalid as exc:
            log.error("member file has an invalid billing section", town=town, error=str(exc))
            continue

        def decide(
            history: list[DomainEvent], wanted: FeeScheduleAdopted = wanted
        ) -> list[DomainEvent]:
            return decide_adoption(history, wanted)

        if await runtime.store.decide_and_append(schedule_ref(town), decide, cause=cause):
            log.info(
                "fee schedule adopted",
                town=town,
                versions=[str(version.valid_from) for version in wanted.versions],
                fees={k: str(v) for k, v in wanted.fees.items()},
            )
