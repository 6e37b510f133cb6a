"""Receiving one e-invoice, whichever way it came (API, upload page, e-mail): one pipeline.

check → route → duplicate check → store → record:

1. The check (``check.check_invoice``, ~20 ms of CPU and Saxon's compiled rules, so in
   billing's worker process, ``runtime.worker``). A refusal at its input
   step — hostile XML, too large, not XML, a PDF without an XML — is ``InputRefused``:
   nothing is stored and nothing recorded, the caller answers with the reason.
2. Routing by the buyer reference (``routing.route``), a verdict of its own.
3. Both passed: the duplicate rule (``duplicates.duplicate_key``) under an advisory lock on the
   key, so two copies arriving at once are told apart too; the original bytes, unchanged, and
   the report are sealed in the object store under the invoice's own data key
   (``einvoice.<id>``); then **one** transaction records the invoice's row and
   ``IncomingInvoiceReceived`` in the outbox. A crash before the commit leaves at most an
   orphaned sealed object no event points to.
4. Either failed: the row (with the report, for the supplier's link) and
   ``IncomingInvoiceRefused`` in one transaction; the document itself is not kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from uuid import UUID

import asyncpg

from contracts.events.casework import DocumentRef
from contracts.events.einvoices import (
    NO_TOWN,
    Channel,
    IncomingInvoiceRefused,
    InvoiceFinding,
    data_key_of,
)
from contracts.naming import Service
from runtime import documents, outbox
from runtime.database import lock_key
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from runtime.worker import Job
from services.billing.einvoices.duplicates import duplicate_key
from services.billing.einvoices.event_data import received_event
from services.billing.einvoices.report import (
    render_report_fragment,
    render_report_html,
    report_json,
)
from services.billing.einvoices.routing import (
    MemberTown,
    NotRouted,
    Routed,
    RoutingVerdict,
    address_note,
    member_towns,
    route,
    town_of_address,
)
from services.billing.einvoices.verdict import Finding, InvoiceData, Verdict

MAX_BYTES = 20 * 1024 * 1024
"""The largest document read (20 MiB, the check's own limit): an XRechnung of a thousand lines
is well under 2 MB, a ZUGFeRD PDF with scanned appendices rarely over 10."""


class InputRefused(ValueError):
    """The document never reached the rules: why (German), and the HTTP status that fits."""

    def __init__(self, status: int, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.findings = tuple(findings)


@dataclass(frozen=True)
class Outcome:
    """What became of one received document."""

    invoice_id: UUID
    accepted: bool
    town: MemberTown | None
    duplicate_of: UUID | None
    report: dict[str, Any]
    report_html: str


def incoming_invoice_ref(town: str, invoice_id: UUID) -> AggregateRef:
    """One incoming invoice, in the log of the town it belongs to (``NO_TOWN`` if none)."""
    return AggregateRef(Service.BILLING, town, "incoming-invoice", str(invoice_id))


_TOWNS: dict[str, tuple[MemberTown, ...]] = {}


def towns_of(runtime: Runtime) -> tuple[MemberTown, ...]:
    """The member towns that receive invoices (read from the member files once per process)."""
    folder = runtime.settings.members_dir
    if folder not in _TOWNS:
        _TOWNS[folder] = member_towns(read_member_files(folder))
    return _TOWNS[folder]


INPUT_STATUS = {
    "RC-INPUT-02": 413,  # too large (the file, or the XML inside a PDF)
    "RC-INPUT-03": 415,  # neither PDF nor XML
    "RC-INPUT-05": 415,  # XML, but no invoice of an accepted form
    "RC-INPUT-07": 415,  # a PDF without invoice data
    "RC-INTERNAL-01": 503,  # the check itself failed: our fault, try again later
}
"""The HTTP status of each input refusal; the others (empty, DOCTYPE, a broken PDF) are 400."""


def _input_refusal(content: bytes, verdict: Verdict, max_bytes: int) -> InputRefused | None:
    """The input step's refusal, with the status that fits it (``INPUT_STATUS``)."""
    if len(content) > max_bytes:
        return InputRefused(413, _too_large(len(content), max_bytes), verdict.failed("input"))
    failed = verdict.failed("input")
    if not failed:
        return None
    message = " ".join(f.message for f in failed)
    return InputRefused(INPUT_STATUS.get(failed[0].rule_id, 400), message, failed)


def _too_large(size: int, max_bytes: int) -> str:
    mib = 1024 * 1024
    return (
        f"Die Datei ist {size / mib:.1f} MB groß; angenommen werden Rechnungen bis"
        f" {max_bytes / mib:.0f} MB.".replace(".", ",", 1)
    )


CHECK: Job[tuple[bytes, int], Verdict] = Job("services.billing.einvoices.check:check_in_worker")
WARM_UP: Job[None, None] = Job("services.billing.einvoices.check:warm_up_in_worker")


async def check(runtime: Runtime, content: bytes, max_bytes: int = MAX_BYTES) -> Verdict:
    """The check's verdict, or ``InputRefused`` (before any rule ran)."""
    if len(content) > max_bytes:
        raise InputRefused(413, _too_large(len(content), max_bytes))
    verdict = await runtime.worker(CHECK, (content, max_bytes))
    refusal = _input_refusal(content, verdict, max_bytes)
    if refusal is not None:
        raise refusal
    return verdict


async def warm_up_check(runtime: Runtime) -> None:
    """Background job at start: compile the schemas and rules before the first invoice."""
    settings = runtime.settings
    if getattr(settings, "invoice_warm_up", False):
        await runtime.worker(WARM_UP, None)


def _findings(findings: Sequence[Finding]) -> list[InvoiceFinding]:
    return [InvoiceFinding.model_validate(f.model_dump()) for f in findings]


def routing_json(routing: RoutingVerdict, note: str | None) -> dict[str, Any]:
    """The routing verdict as the report's JSON says it."""
    if isinstance(routing, Routed):
        return {
            "verdict": "routed",
            "town": routing.town.ags,
            "town_name": routing.town.name,
            "leitweg_id": routing.town.leitweg_id,
            "note": note,
        }
    return {"verdict": "rejected", "rule_id": routing.rule_id, "reason": routing.reason}


def routing_html(routing: RoutingVerdict, note: str | None) -> str:
    """The routing verdict as a German fragment below the check's report."""
    if isinstance(routing, Routed):
        text = (
            f"Zugeordnet an <strong>{escape(routing.town.name)}</strong>"
            f" (Leitweg-ID {escape(routing.town.leitweg_id)})."
        )
        if note:
            text += f" {escape(note)}"
    else:
        text = f"Nicht zugeordnet ({escape(routing.rule_id)}): {escape(routing.reason)}"
    return f'<section class="zuordnung"><h2>Zuordnung</h2><p>{text}</p></section>'


def _report(
    invoice_id: UUID, verdict: Verdict, routing: RoutingVerdict, note: str | None
) -> dict[str, Any]:
    accepted = verdict.accepted and isinstance(routing, Routed)
    return {
        "invoice_id": str(invoice_id),
        "outcome": "accepted" if accepted else "rejected",
        "validation": json.loads(json.dumps(report_json(verdict), default=str)),
        "routing": routing_json(routing, note),
    }


async def receive(
    runtime: Runtime,
    content: bytes,
    *,
    channel: Channel,
    mailed_to: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Outcome:
    """Check, route and record one document; ``InputRefused`` if it never reached the rules."""
    verdict = await check(runtime, content, max_bytes)
    towns = towns_of(runtime)
    data = verdict.data
    routing = route(data.buyer_reference if data else None, towns)
    address_town = town_of_address(mailed_to, towns) if mailed_to else None
    note = address_note(address_town, routing.town) if isinstance(routing, Routed) else None
    invoice_id = new_id()
    report = _report(invoice_id, verdict, routing, note)
    report_html = render_report_fragment(verdict) + routing_html(routing, note)
    received_at = datetime.now(UTC)
    if verdict.accepted and data is not None and isinstance(routing, Routed):
        duplicate_of = await _record_received(
            runtime,
            content,
            verdict,
            data,
            routing.town,
            invoice_id=invoice_id,
            channel=channel,
            received_at=received_at,
            report=report,
            report_html=report_html,
            mailed_to=mailed_to,
            note=note,
        )
        report["duplicate_of"] = str(duplicate_of) if duplicate_of else None
        return Outcome(invoice_id, True, routing.town, duplicate_of, report, report_html)
    await _record_refused(
        runtime,
        content,
        verdict,
        routing,
        invoice_id=invoice_id,
        channel=channel,
        received_at=received_at,
        report=report,
        report_html=report_html,
        mailed_to=mailed_to,
    )
    town = routing.town if isinstance(routing, Routed) else None
    return Outcome(invoice_id, False, town, None, report, report_html)


async def _store(
    runtime: Runtime, invoice_id: UUID, filename: str, content_type: str, content: bytes
) -> DocumentRef:
    """Seal one document of the invoice under its own data key (created here)."""
    data_key = data_key_of(invoice_id)
    key = await runtime.keys.create(data_key)
    name = documents.object_name(data_key, filename)
    stored = await documents.store_once(runtime.attachments, name, content, key)
    return DocumentRef(
        object_name=name,
        filename=filename,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


def _whole_report(verdict: Verdict, report_html: str) -> str:
    """The check's report as a document of its own, with routing's verdict in it."""
    whole = render_report_html(verdict)
    routing = report_html[report_html.rfind('<section class="zuordnung">') :]
    return whole.replace("</body>", routing + "</body>", 1) if "</body>" in whole else whole


async def _record_received(
    runtime: Runtime,
    content: bytes,
    verdict: Verdict,
    data: InvoiceData,
    town: MemberTown,
    *,
    invoice_id: UUID,
    channel: Channel,
    received_at: datetime,
    report: dict[str, Any],
    report_html: str,
    mailed_to: str | None,
    note: str | None,
) -> UUID | None:
    kind = verdict.kind or "xml"
    original = await _store(runtime, invoice_id, f"original.{kind}", f"application/{kind}", content)
    report_ref = await _store(
        runtime,
        invoice_id,
        "pruefbericht.html",
        "text/html",
        _whole_report(verdict, report_html).encode(),
    )
    key = duplicate_key(data)
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO ON")  # answered = kept
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(f"einvoice:{key}"))
        duplicate_of = await conn.fetchval(
            "SELECT invoice_id FROM public.billing_incoming_invoices WHERE duplicate_key = $1"
            " AND outcome = 'received' ORDER BY received_at, invoice_id LIMIT 1",
            key,
        )
        event = received_event(
            data,
            invoice_id=invoice_id,
            channel=channel,
            town=town.ags,
            leitweg_id=town.leitweg_id,
            received_at=received_at,
            original=original,
            report=report_ref,
            kind=kind,
            rules=verdict.rules,
            findings=_findings(verdict.findings),
            duplicate_of=duplicate_of,
            mailed_to=mailed_to,
            routing_note=note,
        )
        await _insert(
            conn,
            invoice_id,
            channel,
            received_at,
            "received",
            town.ags,
            content,
            key,
            duplicate_of,
            {**report, "duplicate_of": str(duplicate_of) if duplicate_of else None},
            report_html,
        )
        await outbox.record(
            conn,
            incoming_invoice_ref(town.ags, invoice_id),
            [event],
            commit_id=invoice_id,
            cause=Cause(actor=f"supplier:{channel}", correlation_id=invoice_id),
            data_key=data_key_of(invoice_id),
            expected_seq=0,
        )
    return duplicate_of  # type: ignore[no-any-return]


async def _record_refused(
    runtime: Runtime,
    content: bytes,
    verdict: Verdict,
    routing: RoutingVerdict,
    *,
    invoice_id: UUID,
    channel: Channel,
    received_at: datetime,
    report: dict[str, Any],
    report_html: str,
    mailed_to: str | None,
) -> None:
    town = routing.town.ags if isinstance(routing, Routed) else NO_TOWN
    reasons = _findings([f for f in verdict.findings if f.severity == "fatal"])
    if isinstance(routing, NotRouted):
        reasons.append(
            InvoiceFinding(
                step="routing", rule_id=routing.rule_id, severity="fatal", message=routing.reason
            )
        )
    data = verdict.data
    event = IncomingInvoiceRefused(
        invoice_id=invoice_id,
        channel=channel,
        town=town,
        received_at=received_at,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        kind=verdict.kind or "xml",
        buyer_reference=data.buyer_reference if data else None,
        invoice_number=data.invoice_number if data else None,
        validation="accepted" if verdict.accepted else "rejected",
        routing="routed" if isinstance(routing, Routed) else "rejected",
        rules=verdict.rules,
        reasons=reasons,
        mailed_to=mailed_to,
    )
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO ON")
        await _insert(
            conn,
            invoice_id,
            channel,
            received_at,
            "refused",
            None if town == NO_TOWN else town,
            content,
            None,
            None,
            report,
            report_html,
        )
        await outbox.record(
            conn,
            incoming_invoice_ref(town, invoice_id),
            [event],
            commit_id=invoice_id,
            cause=Cause(actor=f"supplier:{channel}", correlation_id=invoice_id),
            expected_seq=0,
        )


async def _insert(
    conn: asyncpg.Connection,
    invoice_id: UUID,
    channel: str,
    received_at: datetime,
    outcome: str,
    town: str | None,
    content: bytes,
    key: str | None,
    duplicate_of: UUID | None,
    report: dict[str, Any],
    report_html: str,
) -> None:
    await conn.execute(
        "INSERT INTO public.billing_incoming_invoices (invoice_id, channel, received_at,"
        " outcome, town, sha256, size, duplicate_key, duplicate_of, report, report_html)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        invoice_id,
        channel,
        received_at,
        outcome,
        town,
        hashlib.sha256(content).hexdigest(),
        len(content),
        key,
        duplicate_of,
        report,
        report_html,
    )
