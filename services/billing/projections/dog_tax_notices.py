"""Reaction: a keeper's assessed dog tax gets its notice — rendered, stored sealed, announced.

Reads billing's own log for ``DogTaxAssessed`` (the annual run records one per keeper and year
through the outbox and returns; rendering a PDF there would make a run of 100,000 dogs slow)
and intake's for the towns' letterheads. The keeper is who the first of their registrations
in the register names (``rm_dog_register``: the dog's application, kept sealed as its
commit was stored, opened with its key only to render); the account is the town's latest
adopted schedule's. A notice whose town's profile has not arrived here waits
(``notices.status = 'waiting'``) and the profile's arrival issues it.

Issuing renders the Hundesteuerbescheid (``notices.dog_tax_pdf``), stores it sealed with the
registration's key under ``<data key>/hundesteuerbescheid-<year>-<claim id>.pdf`` and records
``DogTaxNoticeIssued`` in the outbox in the transaction that marks the notice issued, with a
commit id derived from the assessment's event id: a redelivered assessment issues nothing twice,
and a retry after a failed store stores and announces the notice once. A keeper whose
registration's key is erased, or a town without an account, gets none (``skipped``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import structlog

from contracts.base import DomainEvent
from contracts.events.billing import DogTaxAssessed, DogTaxNoticeIssued
from contracts.events.casework import DocumentRef
from contracts.events.intake import ProcedureOffered, TownProfilePublished
from contracts.naming import Service
from contracts.procedures import ProcedureId
from runtime import documents, outbox
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from runtime.worker import Job
from services.billing.aggregates import fee_ref
from services.billing.notices.assembly import Applicant, addressee, letterhead
from services.billing.notices.dog_tax_notice import DogTaxNotice, TaxedDog, dog_tax_notice
from services.billing.stored_records import opened_application, town_account

log = structlog.get_logger(__name__)

RENDER: Job[DogTaxNotice, bytes] = Job("services.billing.notices.dog_tax_pdf:render_dog_tax")

REGISTRATION = ProcedureId.HUNDESTEUER_ANMELDUNG.value

DDL = """
CREATE TABLE towns (
    ags     text PRIMARY KEY,
    profile jsonb NOT NULL,
    offices jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE notices (
    claim_id    uuid PRIMARY KEY,
    tenant      text NOT NULL,
    assessed_id uuid NOT NULL,
    assessed    jsonb NOT NULL,
    correlation uuid NOT NULL,
    status      text NOT NULL DEFAULT 'waiting',
    object_name text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_waiting ON notices (tenant) WHERE status = 'waiting';
"""

WAITING = """
SELECT n.*, t.profile, t.offices FROM notices n JOIN towns t ON t.ags = n.tenant
WHERE n.claim_id = $1 AND n.status = 'waiting'
FOR UPDATE OF n
"""
"""A waiting notice whose town is known; locked, so two runners never both issue it."""

KEEPER = """
SELECT g.application_id, g.data_key, a.event_id, a.commit
FROM rm_dog_register.dogs g JOIN rm_dog_register.applications a USING (application_id)
WHERE g.dog_id = ANY($1::uuid[])
ORDER BY g.registered_at, g.dog_id
LIMIT 1
"""
"""The keeper's first registration among the dogs taxed: it names the addressee."""

DOGS = """
SELECT name, tag_number FROM rm_dog_register.dogs WHERE dog_id = ANY($1::uuid[])
ORDER BY kept_from, registered_at
"""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        for claim_id in await remember(conn, envelope):
            await issue(runtime, conn, claim_id)

    sources = (Service.INTAKE, Service.BILLING)
    return Projection(
        name="dog-tax-notices",
        owner=Service.BILLING,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=frozenset(
            e.type_name for e in (TownProfilePublished, ProcedureOffered, DogTaxAssessed)
        ),
        handle=handle,
        migrations=(DDL,),
        rebuildable=False,
        opens_personal_data=False,  # reads no personal field of what it is given
    )


async def remember(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> list[UUID]:
    """Keep what a notice needs; returns the claims whose notice this may complete."""
    event = envelope.event
    if isinstance(event, TownProfilePublished):
        await conn.execute(
            "INSERT INTO towns (ags, profile) VALUES ($1, $2)"
            " ON CONFLICT (ags) DO UPDATE SET profile = $2",
            event.ags,
            event.model_dump(mode="json"),
        )
        rows = await conn.fetch(
            "SELECT claim_id FROM notices WHERE tenant = $1 AND status = 'waiting'", event.ags
        )
        return [row["claim_id"] for row in rows]
    if isinstance(event, ProcedureOffered) and event.procedure == REGISTRATION:
        await conn.execute(
            "UPDATE towns SET offices = offices || jsonb_build_object($2::text, $3::text)"
            " WHERE ags = $1",
            event.ags,
            event.procedure,
            event.competent_office,
        )
    if isinstance(event, DogTaxAssessed):
        await conn.execute(
            "INSERT INTO notices (claim_id, tenant, assessed_id, assessed, correlation)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (claim_id) DO NOTHING",
            event.case_id,
            envelope.meta.tenant,
            envelope.meta.event_id,
            event.model_dump(mode="json"),
            envelope.meta.correlation_id,
        )
        return [event.case_id]
    return []


async def issue(runtime: Runtime, conn: asyncpg.Connection, claim_id: UUID) -> None:
    """Issue a waiting notice whose town is known here (else leave it waiting)."""
    row = await conn.fetchrow(WAITING, claim_id)
    if row is None:
        return
    assessed = DogTaxAssessed.model_validate(row["assessed"])
    keeper = await conn.fetchrow(KEEPER, assessed.dogs)
    key = await runtime.keys.get(keeper["data_key"]) if keeper else None
    applicant = (
        await open_application(runtime, keeper["event_id"], keeper["commit"])
        if keeper and key
        else None
    )
    to = addressee(applicant) if applicant else None
    account = await town_account(runtime, row["tenant"])
    if keeper is None or key is None or to is None or account is None:
        await _mark(conn, claim_id, "skipped", None)
        log.warning("no dog-tax notice: keeper erased, or no account", claim_id=str(claim_id))
        return
    issued_at = datetime.now(UTC)
    dogs = [TaxedDog(d["name"], d["tag_number"]) for d in await conn.fetch(DOGS, assessed.dogs)]
    notice = dog_tax_notice(
        assessed,
        town=letterhead(row["profile"], row["offices"].get(REGISTRATION), account),
        to=to,
        dogs=dogs,
        creditor_id=account.creditor_id,
        issued_at=issued_at,
    )
    content = await runtime.worker(RENDER, notice)
    filename = f"hundesteuerbescheid-{assessed.year}-{claim_id}.pdf"
    name = documents.object_name(keeper["data_key"], filename)
    stored = await documents.store_once(runtime.attachments, name, content, key)
    issued = DogTaxNoticeIssued(
        case_id=claim_id,
        registration_id=keeper["application_id"],
        year=assessed.year,
        document=DocumentRef(
            object_name=name,
            filename=filename,
            content_type="application/pdf",
            size=stored.size,
            sha256=stored.sha256,
        ),
        cash_reference=assessed.cash_reference,
        amount=assessed.amount,
        instalments=assessed.instalments,
        direct_debit=notice.direct_debit,
        mandate_reference=notice.mandate_reference,
        payee=account.holder,
        iban=account.iban,
        bic=account.bic,
        issued_at=issued_at,
    )
    await outbox.record(
        conn,
        fee_ref(row["tenant"], claim_id),
        [issued],
        commit_id=derived_id(row["assessed_id"], "dog-tax-notice"),
        cause=Cause(
            actor="system:billing.notices",
            correlation_id=row["correlation"],
            causation_id=row["assessed_id"],
        ),
        data_key=keeper["data_key"],
    )
    await _mark(conn, claim_id, "issued", name)


async def open_application(runtime: Runtime, event_id: UUID, commit: bytes) -> Applicant | None:
    """An application, opened from its commit as stored (None: its form is erased)."""
    event = await opened_application(runtime, event_id, commit)
    if event.form is None:
        return None
    name = event.contact.name if event.contact else None
    return Applicant(event.procedure, event.form_version, event.form, name)


async def _mark(conn: asyncpg.Connection, claim_id: UUID, status: str, name: str | None) -> None:
    await conn.execute(
        "UPDATE notices SET status = $2, object_name = $3, updated_at = now() WHERE claim_id = $1",
        claim_id,
        status,
        name,
    )
