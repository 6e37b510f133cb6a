"""Delegation agreements on the running suite: who processes a town's cases of a procedure.

``GET /api/v1/desk/delegations/{town}``              the town's agreements, and which is in force
``PUT /api/v1/desk/delegations/{town}/{procedure}``  a new agreement (the town's supervisor, or
                                                     an operator); applies to cases opened from
                                                     then on — open cases move only on purpose
``POST /ops/v1/casework/apply-members``              operators: record every difference of the
                                                     member files (a restart only seeds)
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from contracts.calendar import today
from contracts.events.casework import DelegationAgreed
from contracts.procedures import PROCEDURES
from runtime.auth import Operator
from runtime.eventstore import Cause
from runtime.http import JsonRoute, error_responses, problem
from runtime.ids import new_id
from runtime.service import Runtime
from services.casework import towns
from services.casework.aggregates import delegation_ref
from services.casework.api.common import SupervisorOrOperator, forbidden, refused
from services.casework.api.schemas import Agreement
from services.casework.clerks import clerk_of, may_agree_for
from services.casework.configuration import apply_member_configuration
from services.casework.domain import clerk_actions
from services.casework.domain.delegation import decide_agreement, in_force
from services.casework.domain.refusals import Refused

Town = Annotated[str, Path(pattern=r"^\d{8}$", description="AGS der delegierenden Gemeinde")]
Procedure = Annotated[str, Path(max_length=100, description="Kennung des Verfahrens")]


class AgreementOut(BaseModel):
    """One recorded agreement."""

    procedure: str
    processing_towns: list[str]
    valid_from: date | None
    valid_until: date | None
    agreed_by: str | None
    in_force: bool


class Applied(BaseModel):
    """What re-applying the member files changed."""

    changed: int


def router(runtime: Runtime) -> APIRouter:
    """The delegation routes, bound to the running service."""
    api = APIRouter(tags=["desk"], route_class=JsonRoute)

    @api.get(
        "/api/v1/desk/delegations/{town}",
        response_model=list[AgreementOut],
        responses=error_responses(401, 403, 422, 503),
    )
    async def agreements(identity: SupervisorOrOperator, town: Town) -> Any:
        """Every agreement of the town, per procedure, oldest first."""
        if not may_agree_for(identity, town):
            return forbidden("Für diese Gemeinde sind Sie nicht zuständig.")
        day = today()
        result = []
        for procedure in PROCEDURES:
            agreed = await towns.agreements(runtime, town, procedure)
            current = next((a for a in reversed(agreed) if in_force(a, day)), None)
            result += [_out(a, a is current) for a in agreed]
        return result

    @api.put(
        "/api/v1/desk/delegations/{town}/{procedure}",
        response_model=list[AgreementOut],
        responses=error_responses(401, 403, 404, 413, 415, 422, 503),
    )
    async def agree(
        identity: SupervisorOrOperator, town: Town, procedure: Procedure, body: Agreement
    ) -> Any:
        """Agree which towns process the town's cases of the procedure, from (until) when."""
        if not may_agree_for(identity, town):
            return forbidden("Für diese Gemeinde sind Sie nicht zuständig.")
        if procedure not in PROCEDURES:
            return problem(404, "Verfahren nicht gefunden.", f"„{procedure}“ gibt es nicht.")
        actor = (
            clerk_actions.actor(clerk_of(identity)) if identity.towns else identity.operator_actor
        )

        def decide(history: list[Any]) -> list[Any]:
            agreed = [e for e in history if isinstance(e, DelegationAgreed)]
            return decide_agreement(
                agreed,
                town,
                procedure,
                body.processing_towns,
                valid_from=body.valid_from,
                valid_until=body.valid_until,
                agreed_by=actor,
            )

        try:
            await runtime.store.decide_and_append(
                delegation_ref(town, procedure),
                decide,
                cause=Cause(actor=actor, correlation_id=new_id()),
            )
        except Refused as refusal:
            return refused(refusal)
        day = today()
        agreed = await towns.agreements(runtime, town, procedure)
        current = next((a for a in reversed(agreed) if in_force(a, day)), None)
        return [_out(a, a is current) for a in agreed]

    @api.post(
        "/ops/v1/casework/apply-members",
        response_model=Applied,
        tags=["operator"],
        responses=error_responses(401, 403, 503),
    )
    async def apply_members(operator: Operator) -> Any:
        """Record every difference between the member files and the log (delegations and
        casework settings); a restart only records what the log does not know."""
        changed = await apply_member_configuration(
            runtime, seed_only=False, actor=operator.operator_actor
        )
        return Applied(changed=changed)

    return api


def _out(agreement: DelegationAgreed, current: bool) -> AgreementOut:
    return AgreementOut(
        procedure=agreement.procedure,
        processing_towns=list(agreement.processing_towns),
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        agreed_by=agreement.agreed_by,
        in_force=current,
    )
