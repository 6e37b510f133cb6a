"""What the desk's routes share: who may call, and how refusals answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from fastapi.responses import JSONResponse

from runtime.auth import OPERATOR_ROLE, Identity, requires_role
from runtime.http import STATUS_TITLES, FieldError, problem, validation_response
from services.casework.clerks import DESK_ROLES, SUPERVISOR
from services.casework.domain.refusals import Refused
from services.casework.queries import BadCursor

DeskClerk = Annotated[Identity, Depends(requires_role(*DESK_ROLES))]
"""A clerk or supervisor, signed in with a token of the installation's issuer."""

SupervisorOrOperator = Annotated[Identity, Depends(requires_role(SUPERVISOR, OPERATOR_ROLE))]
"""A supervisor (of a town) or an operator (of the platform)."""

NOT_FOUND = "Vorgang nicht gefunden."
NOT_FOUND_DETAIL = "Diesen Vorgang gibt es nicht, oder Sie sind für ihn nicht zuständig."
NOT_YOUR_TOWN = "Für diese Gemeinde sind Sie nicht zuständig."


def refused(refusal: Refused) -> JSONResponse:
    """409 for a conflict with the case's state, 422 at the field for unfit input."""
    if refusal.conflict:
        return problem(409, STATUS_TITLES[409], refusal.message)
    return validation_response(
        [FieldError(field=refusal.field or "(Anfrage)", message=refusal.message, type=refusal.code)]
    )


def not_found() -> JSONResponse:
    """The case does not exist — or is none of the caller's business (the same answer)."""
    return problem(404, NOT_FOUND, NOT_FOUND_DETAIL)


def forbidden(detail: str) -> JSONResponse:
    """The caller may not do this (another town, another role)."""
    return problem(403, STATUS_TITLES[403], detail)


def bad_cursor(_: BadCursor) -> JSONResponse:
    """A paging cursor this service did not hand out."""
    return validation_response(
        [FieldError(field="after", message="Dieser Seitenverweis ist ungültig.", type="cursor")]
    )


def town_of(identity: Identity, town: str | None) -> str | Any:
    """The town whose queue the clerk reads: theirs, by default the first of theirs."""
    if town is None:
        return identity.towns[0] if identity.towns else None
    return town if town in identity.towns else None
