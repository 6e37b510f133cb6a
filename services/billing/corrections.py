"""Recording a fee notice's cancellation or amendment, once (the decision: ``domain.corrections``).

The claim is decided on its fee's own log — and only when the log is complete: a claim whose
aggregate still has commits waiting in the outbox (a booking, a reminder just recorded) is
refused for the moment (``LogBehind``, answered 503 with ``Retry-After``), so no correction
rests on a fee that has moved. The correction's number is recorded in
``billing_fee_corrections`` in the transaction that puts its event into the outbox, with a
commit id derived from claim and number: two clerks at once cannot both correct the same
state, and a retry records nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from contracts.events.billing import FeeAmended, FeeNoticeCancelled
from runtime import outbox
from runtime.database import lock_key
from runtime.eventstore import Cause
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.billing.aggregates import fee_ref
from services.billing.domain.claim import Claim, fold
from services.billing.domain.corrections import CorrectionRefused

Correction = FeeNoticeCancelled | FeeAmended


class LogBehind(Exception):
    """The fee's log has commits still waiting to be published: try again in a moment."""


async def correct(
    runtime: Runtime,
    town: str,
    case_id: UUID,
    decide: Callable[[Claim], Correction],
    actor: str,
) -> Correction:
    """Decide on the claim and record the correction; ``CorrectionRefused`` names the rule."""
    ref = fee_ref(town, case_id)
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO ON")  # answered = kept
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(f"billing:fee:{case_id}"))
        waiting = await conn.fetchval(
            "SELECT 1 FROM public.rc_outbox WHERE subject_key = $1 LIMIT 1",
            outbox.subject_key(ref),
        )
        if waiting:
            raise LogBehind(str(case_id))
        event = decide(fold(e.event for e in (await runtime.store.load(ref)).events))
        status: str = await conn.execute(
            "INSERT INTO public.billing_fee_corrections (case_id, number, town, kind, correction)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            case_id,
            event.number,
            town,
            "cancellation" if isinstance(event, FeeNoticeCancelled) else "amendment",
            event.correction,
        )
        if status == "INSERT 0 0":
            raise CorrectionRefused(
                "correction_must_follow_the_last",
                "Der Bescheid wurde soeben geändert; bitte prüfen Sie die Forderung erneut.",
            )
        await outbox.record(
            conn,
            ref,
            [event],
            commit_id=derived_id("billing.fee-correction", str(case_id), str(event.number)),
            cause=Cause(actor=actor, correlation_id=new_id()),
        )
    return event
