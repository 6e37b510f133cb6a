"""The treasury's routes to cancel or amend a fee notice, and the refunds they leave due.

``POST /api/v1/claims/{kassenzeichen}/cancellation``  ``{reason}``: the notice is cancelled,
                                                      the fee falls to nothing
``POST /api/v1/claims/{kassenzeichen}/amendment``     ``{amount, reason}``: the fee set anew; a
                                                      new notice replaces the old one
``GET  /api/v1/towns/{ags}/refunds``                  claims paid beyond what they claim now
                                                      (a credit: the refund due to the payer)

The town's treasury (role ``treasury``) or supervisors, or an operator; a caller corrects only
claims of the towns in their token (another town's claim answers 404, as if it did not exist).
A rule that refuses answers 409 (``rule`` names it, ``detail`` says why in German); a claim
whose log is still being written answers 503 with ``Retry-After``. The refund is paid out with
the town's payment file (pain.001) — not built here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field, WithJsonSchema

from runtime.auth import OPERATOR_ROLE, Identity, requires_role
from runtime.http import JsonRoute, error_responses, problem, unavailable
from runtime.service import Runtime
from services.billing.corrections import Correction, LogBehind, correct
from services.billing.domain import corrections
from services.billing.domain.claim import Claim
from services.billing.domain.corrections import Clerk, CorrectionRefused
from services.billing.settings import BillingSettings

CORRECTORS = ("treasury", "supervisor", OPERATOR_ROLE)
Corrector = Annotated[Identity, Depends(requires_role(*CORRECTORS))]
Town = Annotated[str, Path(pattern=r"^\d{8}$", description="AGS der Gemeinde")]
Reference = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9./-]+$")]
NOT_FOUND = "Nicht gefunden."

REFUNDS = """
SELECT case_id, cash_reference, procedure, raised, paid, paid - raised AS refund,
       cancelled_at, settled_at
FROM rm_claims.claims
WHERE town = $1 AND paid > raised
ORDER BY cash_reference
"""


class CancellationIn(BaseModel):
    """Why the notice is cancelled."""

    reason: str = Field(min_length=1, max_length=500, description="Grund der Aufhebung")


class AmendmentIn(BaseModel):
    """The fee from now on, and why."""

    amount: Annotated[
        Decimal,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,8}(\.[0-9]{1,2})?)$",
                "examples": ["20.00"],
            }
        ),
    ] = Field(gt=0, max_digits=11, decimal_places=2, description='EUR, e.g. "20.00"')
    reason: str = Field(min_length=1, max_length=500, description="Grund der Änderung")


def _actor(identity: Identity) -> str:
    if identity.has_role(OPERATOR_ROLE):
        return identity.operator_actor
    return f"clerk:{identity.subject}"


def _sees(identity: Identity, town: str) -> bool:
    return identity.has_role(OPERATOR_ROLE) or town in identity.towns


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["treasury"], route_class=JsonRoute)
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)

    async def corrected(identity: Identity, cash_reference: str, decide: Any) -> Any:
        row = await runtime.pool.fetchrow(
            "SELECT case_id, town FROM rm_claims.claims WHERE cash_reference = $1",
            cash_reference,
        )
        if row is None or not _sees(identity, row["town"]):
            return problem(
                404, NOT_FOUND, "Unter diesem Kassenzeichen ist keine Forderung erfasst."
            )
        try:
            event: Correction = await correct(
                runtime, row["town"], row["case_id"], decide, _actor(identity)
            )
        except CorrectionRefused as refused:
            response = problem(409, "Nicht möglich.", refused.message)
            response.headers["X-Rule"] = refused.rule
            return response
        except LogBehind:
            return unavailable("Die Forderung wird gerade gebucht; bitte gleich noch einmal.")
        return event.model_dump(mode="json")

    @api.post(
        "/claims/{cash_reference}/cancellation",
        responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def cancel(identity: Corrector, cash_reference: Reference, body: CancellationIn) -> Any:
        """Cancel the claim's fee notice: the fee falls to nothing, payments are owed back."""
        now, clerk = datetime.now(UTC), Clerk(identity.subject, identity.name)

        def decide(claim: Claim) -> Correction:
            return corrections.cancel(claim, body.reason, by=clerk, now=now)

        return await corrected(identity, cash_reference, decide)

    @api.post(
        "/claims/{cash_reference}/amendment",
        responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def amend(identity: Corrector, cash_reference: Reference, body: AmendmentIn) -> Any:
        """Set the fee anew: a new notice, with a new payment term, replaces the old one."""
        now, clerk = datetime.now(UTC), Clerk(identity.subject, identity.name)

        def decide(claim: Claim) -> Correction:
            return corrections.amend(
                claim,
                body.amount,
                body.reason,
                by=clerk,
                now=now,
                term_days=settings.payment_term_days,
            )

        return await corrected(identity, cash_reference, decide)

    @api.get("/towns/{town}/refunds", responses=error_responses(401, 403, 404, 422, 503))
    async def refunds(identity: Corrector, town: Town) -> Any:
        """The town's claims paid beyond what they claim now: the refund due on each."""
        if not _sees(identity, town):
            return problem(404, NOT_FOUND, "Für diese Gemeinde sind Sie nicht zuständig.")
        rows = await runtime.pool.fetch(REFUNDS, town)
        return [
            {
                **dict(row.items()),
                **{k: str(row[k]) for k in ("raised", "paid", "refund")},
                "settled": row["settled_at"] is not None,
            }
            for row in rows
        ]

    return api
