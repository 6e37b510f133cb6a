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

from contracts.procedures import UnknownProcedure
from runtime.auth import Operator
from runtime.http import JsonRoute, error_responses, problem
from runtime.service import Runtime
from services.casework.api.common import SupervisorOrOperator, forbidden, refused
from services.casework.api.schemas import Agreement
from services.casework.commands import Agreement as AgreementView
from services.casework.commands import DeskCommands, Forbidden
from services.casework.configuration import apply_member_configuration
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
    commands = DeskCommands(runtime)

    @api.get(
        "/api/v1/desk/delegations/{town}",
        response_model=list[AgreementOut],
        responses=error_responses(401, 403, 422, 503),
    )
    async def agreements(identity: SupervisorOrOperator, town: Town) -> Any:
        """Every agreement of the town, per procedure, oldest first."""
        try:
            return [_out(a) for a in await commands.agreements(identity, town)]
        except Forbidden as exc:
            return forbidden(str(exc))

    @api.put(
        "/api/v1/desk/delegations/{town}/{procedure}",
        response_model=list[AgreementOut],
        responses=error_responses(401, 403, 404, 413, 415, 422, 503),
    )
    async def agree(
        identity: SupervisorOrOperator, town: Town, procedure: Procedure, body: Agreement
    ) -> Any:
        """Agree which towns process the town's cases of the procedure, from (until) when."""
        try:
            agreed = await commands.agree(
                identity,
                town,
                procedure,
                body.processing_towns,
                valid_from=body.valid_from,
                valid_until=body.valid_until,
            )
        except Forbidden as exc:
            return forbidden(str(exc))
        except UnknownProcedure:
            return problem(404, "Verfahren nicht gefunden.", f"„{procedure}“ gibt es nicht.")
        except Refused as refusal:
            return refused(refusal)
        return [_out(a) for a in agreed]

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


def _out(agreement: AgreementView) -> AgreementOut:
    return AgreementOut(**agreement.__dict__)
