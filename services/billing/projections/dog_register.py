"""Reaction: approved dog registrations and deregistrations keep the town's dog-tax register.

What it needs comes from two logs, in any order: the application (intake; its form is
personal data, so the commit is kept as stored, sealed, and opened with the case's key only
here), the case and its decision (casework). Once a dog procedure's case is approved and its
application is here, the registration gets the town's next tag number and is recorded as
``DogRegistered``; a deregistration finds the dog by its tag number among the town's dogs
still kept and records ``DogDeregistered``. Both go to the outbox in the transaction that
marks the case done, with a commit id fixed by the case: a redelivered event changes nothing.
A deregistration whose tag is no dog of the town stays ``unmatched``, listed for the
treasury; a case whose key was erased before is ``skipped``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import structlog

from contracts.base import DomainEvent
from contracts.events.billing import DogDeregistered, DogRegistered
from contracts.events.casework import CaseDecided, CaseOpened, FeeBasis
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Service
from contracts.procedures import ProcedureId
from runtime import outbox
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.billing.aggregates import dog_ref
from services.billing.domain.dog_register import deregistration, registration
from services.billing.stored_records import opened_application

log = structlog.get_logger(__name__)

DOG_PROCEDURES = frozenset(
    {ProcedureId.HUNDESTEUER_ANMELDUNG.value, ProcedureId.HUNDESTEUER_ABMELDUNG.value}
)

DDL = """
CREATE TABLE applications (
    application_id uuid PRIMARY KEY,
    event_id       uuid NOT NULL,
    commit         bytea NOT NULL,
    data_key       text NOT NULL
);
CREATE TABLE cases (
    case_id        uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    procedure      text NOT NULL,
    town           text NOT NULL,
    decided_at     timestamptz,
    fee            jsonb,
    correlation    uuid,
    status         text NOT NULL DEFAULT 'open'
);
CREATE INDEX cases_waiting ON cases (application_id) WHERE status = 'waiting';
CREATE TABLE dogs (
    dog_id         uuid PRIMARY KEY,
    town           text NOT NULL,
    tag_number     text NOT NULL,
    keeper_key     text NOT NULL,
    application_id uuid NOT NULL,
    data_key       text NOT NULL,
    name           text NOT NULL,
    breed          text NOT NULL,
    kept_from      date NOT NULL,
    kept_until     date,
    dangerous      boolean NOT NULL,
    exemption      text,
    direct_debit   boolean NOT NULL,
    registered_at  timestamptz NOT NULL,
    UNIQUE (town, tag_number)
);
CREATE INDEX dogs_of_keeper ON dogs (town, keeper_key);
CREATE TABLE tag_counters (
    town text PRIMARY KEY,
    last integer NOT NULL
);
"""

READY = """
SELECT c.*, a.event_id, a.commit, a.data_key FROM cases c
JOIN applications a USING (application_id)
WHERE c.case_id = $1 AND c.status = 'waiting'
FOR UPDATE OF c
"""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        for case_id in await remember(conn, envelope):
            await register(runtime, conn, case_id)

    return Projection(
        name="dog-register",
        owner=Service.BILLING,
        sources=(Service.INTAKE, Service.CASEWORK),
        # Most of what arrives is no dog procedure's and is passed over; a tag number is not
        # needed within the moment (the notices and letters that print it come later).
        lingering=frozenset({Service.INTAKE, Service.CASEWORK}),
        event_types=frozenset(e.type_name for e in (ApplicationSubmitted, CaseOpened, CaseDecided)),
        wants=of_a_dog_procedure,
        handle=handle,
        migrations=(DDL,),
        rebuildable=False,
        # It keeps a registration's commit sealed and opens it only when the case is approved.
        opens_personal_data=False,
    )


def of_a_dog_procedure(event: DomainEvent) -> bool:
    """Every application and case passes by; the runner skips the others' without a
    transaction (each of the three events names its procedure)."""
    return getattr(event, "procedure", None) in DOG_PROCEDURES


async def remember(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> list[UUID]:
    """Keep what the register needs of dog procedures; the cases this may complete."""
    event = envelope.event
    if isinstance(event, ApplicationSubmitted) and event.procedure in DOG_PROCEDURES:
        await conn.execute(
            "INSERT INTO applications VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            event.application_id,
            envelope.meta.event_id,
            envelope.commit,
            envelope.meta.data_key or str(event.application_id),
        )
        rows = await conn.fetch(
            "SELECT case_id FROM cases WHERE application_id = $1 AND status = 'waiting'",
            event.application_id,
        )
        return [row["case_id"] for row in rows]
    if isinstance(event, CaseOpened) and event.procedure in DOG_PROCEDURES:
        await conn.execute(
            "INSERT INTO cases (case_id, application_id, procedure, town) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            event.application_id,
            event.procedure,
            event.competent_town,
        )
        return [event.case_id]
    if isinstance(event, CaseDecided) and event.procedure in DOG_PROCEDURES:
        if event.outcome != "approved":
            return []  # casework's log is in order: the case was opened before
        await conn.execute(
            "UPDATE cases SET decided_at = $2, fee = $3, correlation = $4, status = 'waiting'"
            " WHERE case_id = $1 AND status = 'open'",
            event.case_id,
            event.decided_at,
            event.fee.model_dump(mode="json") if event.fee else None,
            envelope.meta.correlation_id,
        )
        return [event.case_id]
    return []


async def register(runtime: Runtime, conn: asyncpg.Connection, case_id: UUID) -> None:
    """Record what an approved dog case changes in the register, once it is complete here."""
    row = await conn.fetchrow(READY, case_id)
    if row is None:
        return
    form = await _form(runtime, row)
    if form is None:
        await _mark(conn, case_id, "skipped")
        log.warning("dog register: the case's personal data is erased", case_id=str(case_id))
        return
    town, now = row["town"], datetime.now(UTC)
    cause = Cause(
        actor="system:billing.dog-register",
        correlation_id=row["correlation"],
        causation_id=case_id,
    )
    if row["procedure"] == ProcedureId.HUNDESTEUER_ANMELDUNG.value:
        fee = FeeBasis.model_validate(row["fee"]) if row["fee"] else None
        facts = registration(town, form, fee)
        tag: int = await conn.fetchval(
            "INSERT INTO tag_counters VALUES ($1, 1) ON CONFLICT (town)"
            " DO UPDATE SET last = tag_counters.last + 1 RETURNING last",
            town,
        )
        event: DomainEvent = DogRegistered(
            dog_id=case_id,
            application_id=row["application_id"],
            tag_number=str(tag),
            keeper_key=facts.keeper_key,
            name=facts.name,
            breed=facts.breed,
            kept_from=facts.kept_from,
            dangerous=facts.dangerous,
            exemption=facts.exemption,
            direct_debit=facts.direct_debit,
            registered_at=now,
        )
        await conn.execute(
            "INSERT INTO dogs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12,"
            " $13)",
            case_id,
            town,
            str(tag),
            facts.keeper_key,
            row["application_id"],
            row["data_key"],
            facts.name,
            facts.breed,
            facts.kept_from,
            facts.dangerous,
            facts.exemption,
            facts.direct_debit,
            now,
        )
        dog_id = case_id
    else:
        ended = deregistration(form)
        dog_id = await conn.fetchval(
            "UPDATE dogs SET kept_until = $3 WHERE town = $1 AND tag_number = $2"
            " AND kept_until IS NULL RETURNING dog_id",
            town,
            ended.tag_number,
            ended.kept_until,
        )
        if dog_id is None:
            await _mark(conn, case_id, "unmatched")
            log.warning("dog register: no kept dog with this tag", town=town, tag=ended.tag_number)
            return
        event = DogDeregistered(
            dog_id=dog_id,
            tag_number=ended.tag_number,
            kept_until=ended.kept_until,
            reason=ended.reason,
            deregistration_case_id=case_id,
            deregistered_at=now,
        )
    await outbox.record(
        conn,
        dog_ref(town, dog_id),
        [event],
        commit_id=derived_id(case_id, "dog-register"),
        cause=cause,
    )
    await _mark(conn, case_id, "done")


async def _form(runtime: Runtime, row: asyncpg.Record) -> dict[str, object] | None:
    """The application's form, opened from its commit (None once its key is erased)."""
    return (await opened_application(runtime, row["event_id"], row["commit"])).form


async def _mark(conn: asyncpg.Connection, case_id: UUID, status: str) -> None:
    await conn.execute("UPDATE cases SET status = $2 WHERE case_id = $1", case_id, status)
