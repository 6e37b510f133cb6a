"""The operators' preview of notify's messages: each kind, on a town's letterhead, sample data.

``GET /api/v1/templates`` lists the kinds; ``GET /api/v1/templates/{kind}/preview?town=<ags>
&format=html|text`` renders one with the made-up data of ``domain.samples`` on the town's
letterhead as notify knows it (its profile from intake's log) — with the town's own templates
and coat of arms from the member-town folder, exactly as its mails would show them. The coat
of arms, an inline part (``cid:``) in a mail, is embedded into the preview's HTML instead.
Every route needs an operator's token, like notify's other routes.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from runtime.auth import Operator
from runtime.http import error_responses, problem
from runtime.service import Runtime
from services.notify.domain import rendering
from services.notify.domain.samples import SAMPLES
from services.notify.domain.templates import Letterhead
from services.notify.projections.queueing import DEFAULT_OFFICE

PREVIEW_CONTENT = {
    "description": "Die Nachricht mit Beispieldaten, als HTML oder als reiner Text.",
    "content": {
        "text/html": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}},
    },
}


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["notify"])

    @api.get("/templates", responses=error_responses(401, 403, 503))
    async def kinds(operator: Operator) -> list[dict[str, str]]:
        """Every kind of message notify sends, with its German title."""
        return [{"kind": kind, "title": sample.title} for kind, sample in SAMPLES.items()]

    @api.get(
        "/templates/{kind}/preview",
        response_class=Response,
        responses={200: PREVIEW_CONTENT, **error_responses(401, 403, 404, 422, 503)},
    )
    async def preview(
        kind: str,
        operator: Operator,
        town: Annotated[str, Query(pattern=r"^\d{8}$", description="The town's AGS")],
        format: Annotated[Literal["html", "text"], Query()] = "html",
    ) -> Any:
        """One kind with sample data on the town's letterhead (its own wording, if it has)."""
        sample = SAMPLES.get(kind)
        if sample is None:
            return problem(404, "Nicht gefunden.", "Diese Nachrichtenart gibt es nicht.")
        row = await runtime.pool.fetchrow(
            "SELECT profile, offices FROM rm_outbox.towns WHERE ags = $1", town
        )
        if row is None:
            return problem(404, "Nicht gefunden.", "Diese Gemeinde ist nicht bekannt.")
        office = sample.office or row["offices"].get(sample.procedure or "", DEFAULT_OFFICE)
        message = sample.render(Letterhead.from_profile(row["profile"], office))
        if format == "text":
            text = f"Betreff: {message.subject}\n\n{message.body}"
            return Response(text, media_type="text/plain; charset=utf-8")
        return Response(embedded(message.html, town), media_type="text/html; charset=utf-8")

    return api


def embedded(html: str, town: str) -> str:
    """The HTML with the town's coat of arms as a ``data:`` address (a browser knows no
    ``cid:``)."""
    arms = rendering.current().coats_of_arms.get(town)
    if arms is None:
        return html
    data = base64.b64encode(arms.path.read_bytes()).decode()
    return html.replace(
        f"cid:{rendering.COAT_OF_ARMS_CID}", f"data:{arms.content_type};base64,{data}"
    )
