"""The operators' commands, as authenticated HTTP endpoints every service has under ``/ops/v1``.

``GET  /ops/v1/projections``                       projections, checkpoints, leaders, pauses
``POST /ops/v1/projections/{name}/rebuild``        rebuild a read model from the log
``GET  /ops/v1/dead-letters[?all=true]``           open (or all) dead letters
``POST /ops/v1/dead-letters/{id}/retry``           apply one again
``POST /ops/v1/dead-letters/{id}/dismiss``         close one without applying it, with a reason

Each needs an operator's token (``runtime.auth.Operator``); the operator's identity is what
the record keeps as who did it (``operator:<subject>`` in ``resolved_by``). The routes only
translate: the work is ``runtime.operations`` and ``runtime.deadletters``, as before, and
``python -m services.<name> …`` (``runtime.cli``) calls these endpoints.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TYPE_CHECKING, Annotated, Any

import structlog
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from runtime.auth import Operator
from runtime.deadletters import (
    DeadLetterNotRetried,
    dismiss_dead_letter,
    list_dead_letters,
    retry_dead_letter,
)
from runtime.http import (
    FieldError,
    JsonRoute,
    error_responses,
    problem,
    unprintable_fields,
    validation_response,
)
from runtime.operations import NotRebuildable, RebuildFailed, projection_states, rebuild

if TYPE_CHECKING:
    from runtime.service import Runtime, ServiceParts

log = structlog.get_logger(__name__)

PREFIX = "/ops/v1"
CONFLICT = "Konflikt mit dem aktuellen Stand."
DeadLetterId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Nummer des Dead Letters")]


class Lease(BaseModel):
    """Who leads a projection on one stream."""

    epoch: int
    holder: str
    acquired_at: str | None
    paused: str | None = Field(description="Warum die Projektion pausiert (sonst leer)")


class ProjectionView(BaseModel):
    """One projection as operators see it."""

    name: str
    kind: str = Field(description="`read model` (neu aufbaubar) oder `reaction`")
    checkpoints: dict[str, int]
    leases: dict[str, Lease]
    open_dead_letters: int


class Rebuilt(BaseModel):
    """A finished rebuild: commits read per stream."""

    projection: str
    commits: dict[str, int]
    by: str


class DeadLetterView(BaseModel):
    """One commit a projection could not apply (without its data)."""

    id: int
    projection: str
    stream: str
    stream_seq: int
    subject: str
    event_types: str
    error: str
    attempts: int
    tenant: str | None
    correlation_id: str | None
    trace_id: str | None
    first_failed_at: str
    last_failed_at: str
    resolved_at: str | None
    resolution: str | None
    resolved_by: str | None
    reason: str | None


class Retried(BaseModel):
    """A dead letter applied again, with the later commits of its aggregate."""

    id: int
    applied: int = Field(description="Angewandte Commits: der Dead Letter und spätere")
    by: str


_PRINTABLE = r"[^\x00-\x1f\x7f-\x9f]"
Reason = Annotated[
    str,
    Field(
        min_length=3,
        max_length=500,
        pattern=rf"^{_PRINTABLE}*[^\s\x00-\x1f\x7f-\x9f]{_PRINTABLE}*$",
        description="Warum (wird festgehalten): eine Zeile, nicht leer, ohne Steuerzeichen",
    ),
]
"""An operator's reason, recorded with the action: one line of text, not blank."""


class Dismissal(BaseModel):
    """Why a dead letter is closed without being applied (recorded)."""

    reason: Reason


class Dismissed(BaseModel):
    """A dead letter closed by an operator."""

    id: int
    by: str
    reason: str


def operator_router(runtime: Runtime, parts: ServiceParts) -> APIRouter:
    """The operator endpoints of one service, bound to its runtime and projections."""
    api = APIRouter(prefix=PREFIX, tags=["operator"], route_class=JsonRoute)
    projections = {p.name: p for p in parts.projections}
    rebuilding: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @api.get("/projections", responses=error_responses(401, 403, 503))
    async def list_projections(operator: Operator) -> list[ProjectionView]:
        """Every projection: kind, checkpoints per stream, leader, pause, open dead letters."""
        states = await projection_states(runtime.pool, list(parts.projections))
        return [ProjectionView.model_validate(state.as_json()) for state in states]

    @api.post(
        "/projections/{name}/rebuild",
        response_model=Rebuilt,
        responses=error_responses(401, 403, 404, 409, 503),
    )
    async def rebuild_projection(name: str, operator: Operator) -> Any:
        """Rebuild a read model from the log while the live one keeps serving, then swap."""
        if name not in projections:
            known = ", ".join(sorted(projections)) or "keine"
            detail = f"Unbekannte Projektion „{name}“; bekannt: {known}."
            return problem(404, "Nicht gefunden.", detail)
        lock = rebuilding[name]
        if lock.locked():
            return problem(409, CONFLICT, f"„{name}“ wird bereits neu aufgebaut.")
        async with lock:
            log.warning("operator rebuilds", projection=name, actor=operator.operator_actor)
            try:
                counts = await rebuild(
                    runtime.pool, runtime.js, runtime.ns, runtime.store.codec, projections[name]
                )
            except NotRebuildable:
                return problem(409, CONFLICT, _reaction_detail(name))
            except RebuildFailed as exc:
                return problem(409, CONFLICT, f"Der Neuaufbau ist abgebrochen: {exc}")
        return Rebuilt(projection=name, commits=counts, by=operator.operator_actor)

    @api.get("/dead-letters", responses=error_responses(401, 403, 422, 503))
    async def dead_letters(
        operator: Operator,
        include_resolved: Annotated[
            bool, Query(alias="all", description="auch abgeschlossene")
        ] = False,
    ) -> list[DeadLetterView]:
        """Dead letters, oldest first: open ones, or all with ``all=true``."""
        letters = await list_dead_letters(runtime.pool, include_resolved=include_resolved)
        return [DeadLetterView.model_validate(letter.as_json()) for letter in letters]

    @api.post(
        "/dead-letters/{dead_letter_id}/retry",
        response_model=Retried,
        responses=error_responses(401, 403, 404, 409, 422, 503),
    )
    async def retry(dead_letter_id: DeadLetterId, operator: Operator) -> Any:
        """Apply a dead letter again, then its aggregate's later commits (in one transaction)."""
        try:
            applied = await retry_dead_letter(
                runtime.pool,
                runtime.js,
                projections,
                runtime.store.codec,
                dead_letter_id,
                actor=operator.operator_actor,
            )
        except LookupError:
            return _no_open_dead_letter(dead_letter_id)
        except DeadLetterNotRetried as exc:
            return problem(409, CONFLICT, f"Die erneute Anwendung ist gescheitert: {exc}")
        return Retried(id=dead_letter_id, applied=applied, by=operator.operator_actor)

    @api.post(
        "/dead-letters/{dead_letter_id}/dismiss",
        response_model=Dismissed,
        responses=error_responses(401, 403, 404, 413, 415, 422, 503),
    )
    async def dismiss(dead_letter_id: DeadLetterId, body: Dismissal, operator: Operator) -> Any:
        """Close a dead letter without applying it; the reason and the operator are recorded."""
        if errors := unprintable_fields(body.model_dump()):
            return validation_response(errors)
        try:
            await dismiss_dead_letter(
                runtime.pool, dead_letter_id, reason=body.reason, actor=operator.operator_actor
            )
        except ValueError:
            return validation_response([_BLANK_REASON])
        except LookupError:
            return _no_open_dead_letter(dead_letter_id)
        return Dismissed(id=dead_letter_id, by=operator.operator_actor, reason=body.reason.strip())

    return api


_BLANK_REASON = FieldError(
    field="reason", message="Bitte geben Sie einen Grund an.", type="string_too_short"
)


def _reaction_detail(name: str) -> str:
    return (
        f"„{name}“ ist eine Reaktion (sie versendet, legt ab oder schreibt Ereignisse): "
        "ein Neuaufbau würde ihre Wirkungen wiederholen und ist deshalb nicht möglich."
    )


def _no_open_dead_letter(dead_letter_id: int) -> Any:
    detail = f"Kein offener Dead Letter mit der Nummer {dead_letter_id}."
    return problem(404, "Nicht gefunden.", detail)
