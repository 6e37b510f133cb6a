"""Incoming e-invoices over HTTP: suppliers send them, clerks see their town's queue.

``POST /api/v1/einvoices``                  the XML (UBL, CII) or the ZUGFeRD/Factur-X PDF as
                                            the body; no account (suppliers are the public),
                                            limited per client address and in size. 201: received
                                            and routed (id, town, report, the report's link);
                                            422: rejected by the check or by routing, with the
                                            report; 400/413/415: refused at the input step,
                                            nothing kept.
``GET  /api/v1/einvoices/{id}/report``      the report, HTML or JSON by ``Accept`` — behind the
                                            invoice's unguessable id, as the supplier got it
``GET  /api/v1/towns/{ags}/einvoices``      the town's queue: its clerks, supervisors and
                                            treasury, those of a town it delegated invoice
                                            processing to (``eingangsrechnung``), operators;
                                            anyone else 404
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from contracts.calendar import today
from runtime.auth import OPERATOR_ROLE, Identity, requires_role
from runtime.http import (
    STATUS_TITLES,
    ErrorBody,
    FieldError,
    JsonRoute,
    error_responses,
    problem,
    read_within,
    unavailable,
)
from runtime.service import Runtime
from services.billing.einvoice_limits import ClientLimits, client_of
from services.billing.einvoice_page import report_page
from services.billing.einvoices.receiving import MAX_BYTES, InputRefused, Outcome, receive
from services.billing.settings import BillingSettings

STAFF = ("clerk", "supervisor", "treasury", OPERATOR_ROLE)
Staff = Annotated[Identity, Depends(requires_role(*STAFF))]
Town = Annotated[str, Path(pattern=r"^\d{8}$", description="AGS der Gemeinde")]
MEDIA_TYPES = ("application/xml", "text/xml", "application/pdf")
NOT_FOUND = "Nicht gefunden."
NOT_YOURS = "Für diese Gemeinde sind Sie nicht zuständig."


INPUT_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "Nicht gelesen: eine leere Datei, ein XML mit Dokumenttyp-Deklaration"
        " (DOCTYPE: externe Entitäten, Entity-Bomben) oder ein beschädigtes PDF; nichts wurde"
        " gespeichert.",
    },
    422: {
        "model": ErrorBody,
        "description": "Abgelehnt von der Prüfung oder der Zuordnung (Leitweg-ID): je Grund ein"
        " Eintrag in `errors`, dazu `report` (der Prüfbericht) und `report_url`.",
    },
}


def outcome_json(outcome: Outcome, report_url: str) -> dict[str, Any]:
    """The answer to a supplier: the verdict, the town, the report and where to read it."""
    town = outcome.town
    return {
        "invoice_id": str(outcome.invoice_id),
        "accepted": outcome.accepted,
        "town": town.ags if town else None,
        "town_name": town.name if town else None,
        "duplicate_of": str(outcome.duplicate_of) if outcome.duplicate_of else None,
        "report": outcome.report,
        "report_url": report_url,
    }


def rejected_response(outcome: Outcome, report_url: str) -> JSONResponse:
    """422 in the house's error shape, every reason a field error, and the whole report."""
    reasons = [
        FieldError(field=f"(Rechnung) {f['rule_id']}", message=f["message"], type=f["rule_id"])
        for f in _fatal(outcome.report)
    ]
    body = ErrorBody(
        title="Die Rechnung wurde nicht angenommen.",
        detail="Der Prüfbericht nennt jeden Grund.",
        errors=reasons,
    ).model_dump()
    return JSONResponse({**body, **outcome_json(outcome, report_url)}, status_code=422)


def _fatal(report: dict[str, Any]) -> list[dict[str, str]]:
    found = [
        {"rule_id": str(f.get("rule_id", "")), "message": str(f.get("message", ""))}
        for f in report["validation"].get("findings", [])
        if f.get("severity") == "fatal"
    ]
    routing = report["routing"]
    if routing["verdict"] == "rejected":
        found.append({"rule_id": routing["rule_id"], "message": routing["reason"]})
    return found


async def sees_town(runtime: Runtime, identity: Identity, town: str) -> bool:
    """Operators, the town's own staff, and staff of a town it delegated its invoices to."""
    if identity.has_role(OPERATOR_ROLE) or town in identity.towns:
        return True
    row = await runtime.pool.fetchrow(
        "SELECT processing_towns, valid_until FROM rm_incoming_invoices.delegations"
        " WHERE delegating_town = $1 AND (valid_from IS NULL OR valid_from <= $2)"
        " ORDER BY agreed_seq DESC LIMIT 1",
        town,
        today(),
    )
    if row is None or (row["valid_until"] is not None and row["valid_until"] < today()):
        return False
    return bool(set(row["processing_towns"]) & set(identity.towns))


def _money(row: Any) -> dict[str, Any]:
    out = dict(row.items())
    for name, value in out.items():
        if hasattr(value, "as_tuple"):
            out[name] = str(value)
    return out


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["einvoices"], route_class=JsonRoute)
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    limits = ClientLimits(settings.invoice_rate_limit)

    @api.post(
        "/einvoices",
        status_code=201,
        responses={**error_responses(413, 415, 429, 503), **INPUT_REFUSALS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "Die E-Rechnung, wie sie ist: XRechnung als XML (UBL 2.1 oder"
                " CII D16B) oder ZUGFeRD/Factur-X als PDF (höchstens 20 MB)",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in MEDIA_TYPES
                },
            }
        },
    )
    async def send_invoice(request: Request) -> Any:
        """Send an e-invoice to a member town; the answer is the check's and routing's
        verdict (no account needed)."""
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type not in MEDIA_TYPES:
            raise HTTPException(
                415,
                "Bitte senden Sie die Rechnung als XML (Content-Type: application/xml) oder"
                " als PDF (application/pdf).",
            )
        refused = await limits.admit(client_of(request))
        if refused is not None:
            return problem(
                429,
                STATUS_TITLES[429],
                "Von Ihrer Adresse kamen zu viele Rechnungen in kurzer Zeit. Bitte versuchen"
                " Sie es später erneut.",
                headers={"Retry-After": str(refused)},
            )
        content = await read_within(request, MAX_BYTES)
        try:
            outcome = await receive(runtime, content, channel="api")
        except InputRefused as input_refused:
            status = input_refused.status
            if status == 503:
                return unavailable(input_refused.message)
            return problem(status, STATUS_TITLES[status], input_refused.message)
        url = str(request.url_for("invoice_report", invoice_id=str(outcome.invoice_id)))
        if not outcome.accepted:
            return rejected_response(outcome, url)
        return JSONResponse(outcome_json(outcome, url), status_code=201)

    @api.get(
        "/einvoices/{invoice_id}/report",
        name="invoice_report",
        responses={
            **error_responses(404, 422, 503),
            200: {
                "description": "Der Prüfbericht: HTML (Accept: text/html) oder JSON",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
        },
    )
    async def invoice_report(request: Request, invoice_id: UUID) -> Response:
        """The report of an invoice sent, as the supplier saw it (HTML or JSON)."""
        row = await runtime.pool.fetchrow(
            "SELECT report, report_html FROM public.billing_incoming_invoices"
            " WHERE invoice_id = $1",
            invoice_id,
        )
        if row is None:
            return problem(404, NOT_FOUND, "Zu dieser Kennung ist keine Rechnung eingegangen.")
        if _prefers_html(request.headers.get("accept", "")):
            return HTMLResponse(report_page(row["report_html"]))
        return JSONResponse(row["report"])

    @api.get("/towns/{town}/einvoices", responses=error_responses(401, 403, 404, 422, 503))
    async def queue(
        identity: Staff,
        town: Town,
        state: Literal["open", "duplicates", "all"] = "open",
    ) -> Any:
        """The town's incoming invoices, oldest first (``open``: the queue, without
        duplicates; ``duplicates``: only those)."""
        if not await sees_town(runtime, identity, town):
            return problem(404, NOT_FOUND, NOT_YOURS)
        where = {
            "open": "duplicate_of IS NULL",
            "duplicates": "duplicate_of IS NOT NULL",
            "all": "true",
        }[state]
        rows = await runtime.pool.fetch(
            f"SELECT * FROM rm_incoming_invoices.invoices WHERE town = $1 AND {where}"
            " ORDER BY received_at, invoice_id",
            town,
        )
        return [_money(row) for row in rows]

    return api


def _prefers_html(accept: str) -> bool:
    """``text/html`` named before any JSON type (a browser), else JSON."""
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media == "text/html":
            return True
        if media in ("application/json", "*/*"):
            return False
    return False
