"""The operators' catalogue commands: onboard a town, offer or withdraw a procedure.

``PUT    /ops/v1/catalogue/towns/{ags}``                          a town's profile (a new town)
``PUT    /ops/v1/catalogue/towns/{ags}/procedures/{procedure}``   offer, or change how
``DELETE /ops/v1/catalogue/towns/{ags}/procedures/{procedure}``   withdraw
``POST   /ops/v1/catalogue/apply-members``                        re-apply the member files

Each takes effect for new submissions within a second (intake reads its catalogue twice a
second), needs no restart and survives one; the event names the operator.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from contracts.events.intake import ProcedureOffered, TownProfilePublished
from contracts.procedures import PROCEDURES
from runtime.auth import Operator
from runtime.http import JsonRoute, error_responses, problem
from runtime.service import Runtime
from services.intake import catalogue_commands
from services.intake.api.common import Ags
from services.intake.domain import catalogue

CHECK = "Bitte prüfen Sie Ihre Angaben."
Procedure = Annotated[
    str,
    Path(description="Kennung des Verfahrens", examples=["bewohnerparkausweis"]),
]


class Offer(BaseModel):
    """How a town offers a procedure."""

    model_config = ConfigDict(extra="forbid", strict=True)

    competent_office: str = Field(min_length=2, max_length=200, description="Zuständiges Amt")
    form_version: int = Field(default=0, ge=0, description="0: die aktuelle Formularversion")
    contact: str | None = Field(default=None, max_length=500)
    opening_hours: str | None = Field(default=None, max_length=500)
    fee_hint: str | None = Field(default=None, max_length=500)


class Changed(BaseModel):
    """What a command changed (nothing, if the catalogue said so already)."""

    ags: str
    events: list[str]
    by: str


def router(runtime: Runtime) -> APIRouter:
    """The catalogue commands, bound to the running service."""
    api = APIRouter(prefix="/ops/v1/catalogue", tags=["operator"], route_class=JsonRoute)

    async def changed(ags: str, decide: catalogue_commands.Decide, actor: str) -> Any:
        try:
            events = await catalogue_commands.change(runtime, ags, decide, actor)
        except catalogue.NotAMember:
            return problem(404, "Gemeinde nicht gefunden.", f"{ags} ist (noch) kein Mitglied.")
        except catalogue.NotOffered as exc:
            return problem(404, "Verfahren nicht gefunden.", f"„{exc}“ wird nicht angeboten.")
        return Changed(ags=ags, events=[e.type_name for e in events], by=actor)

    @api.put(
        "/towns/{ags}",
        response_model=Changed,
        responses=error_responses(401, 403, 409, 413, 415, 422, 503),
    )
    async def town(ags: Ags, profile: TownProfilePublished, operator: Operator) -> Any:
        """Publish a town's profile: onboard a new member town, or change its master data."""
        if profile.ags != ags:
            return problem(
                422, "Bitte prüfen Sie Ihre Angaben.", "Der AGS passt nicht zur Adresse."
            )
        return await changed(
            ags, lambda state: catalogue.decide_profile(state, profile), operator.operator_actor
        )

    @api.put(
        "/towns/{ags}/procedures/{procedure}",
        response_model=Changed,
        responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def offer(ags: Ags, procedure: Procedure, body: Offer, operator: Operator) -> Any:
        """Offer a procedure online (or change office, form version, contact, hours, fee)."""
        definition = PROCEDURES.get(procedure)
        if definition is None:
            return problem(404, "Verfahren nicht gefunden.", f"„{procedure}“ gibt es nicht.")
        version = body.form_version or definition.current_version
        if version not in definition.forms:
            return problem(422, CHECK, f"Die Formularversion {version} gibt es nicht.")
        offered = ProcedureOffered(
            ags=ags, procedure=procedure, **{**body.model_dump(), "form_version": version}
        )
        return await changed(
            ags, lambda state: catalogue.decide_offer(state, offered), operator.operator_actor
        )

    @api.delete(
        "/towns/{ags}/procedures/{procedure}",
        response_model=Changed,
        responses=error_responses(401, 403, 404, 409, 422, 503),
    )
    async def withdraw(ags: Ags, procedure: Procedure, operator: Operator) -> Any:
        """Stop offering a procedure online (applications already made go on)."""
        return await changed(
            ags,
            lambda state: catalogue.decide_withdrawal(state, ags, procedure),
            operator.operator_actor,
        )

    @api.post("/apply-members", responses=error_responses(401, 403, 409, 503))
    async def apply_members(operator: Operator) -> dict[str, Any]:
        """Re-apply the member files on purpose (overrides operators' changes since)."""
        applied = await catalogue_commands.apply_members(
            runtime, operator.operator_actor, only_new=False
        )
        return {
            "changed": {ags: n for ags, n in applied.items() if n},
            "by": operator.operator_actor,
        }

    return api
