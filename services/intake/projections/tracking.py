"""Read model of every application's status and timeline, from all five services' events.

It holds no personal data: the applicant identifies with the tracking link, and the
timeline lines are written so that they name no person.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import CaseFiled, PersonalDataErased
from contracts.events.billing import FeeAssessed, NoFeeDue
from contracts.events.casework import CaseClosed, CaseDecided, CaseOpened, CaseReferredToClerk
from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import MessageDelivered, MessageDeliveryFailed
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection
from services.intake.domain.tracking import timeline_entry

DDL = """
CREATE TABLE IF NOT EXISTS applications (
    application_id uuid PRIMARY KEY,
    tenant         text NOT NULL,
    procedure      text NOT NULL,
    submitted_at   timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS timeline (
    event_id       uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    step           text NOT NULL,
    label          text NOT NULL,
    occurred_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_by_application ON timeline (application_id, occurred_at);
"""

TRACKED = (
    ApplicationSubmitted,
    CaseOpened,
    CaseReferredToClerk,
    CaseDecided,
    CaseClosed,
    FeeAssessed,
    NoFeeDue,
    CaseFiled,
    MessageDelivered,
    MessageDeliveryFailed,
    PersonalDataErased,
)


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Add the event's timeline line (the status is derived from the lines when read).

    The streams are read independently, so a case's later steps may arrive before its
    submission; nothing here depends on that order.
    """
    event, meta = envelope.event, envelope.meta
    entry = timeline_entry(event)
    if entry is None:
        return
    if isinstance(event, ApplicationSubmitted):
        await conn.execute(
            "INSERT INTO applications (application_id, tenant, procedure, submitted_at,"
            " case_number) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id) DO NOTHING",
            event.application_id,
            meta.tenant,
            event.procedure,
            event.submitted_at,
            event.case_number,
        )
    await conn.execute(
        "INSERT INTO timeline VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
        meta.event_id,
        entry.application_id,
        entry.step,
        entry.label,
        meta.occurred_at,
    )


PROJECTION = Projection(
    name="tracking",
    owner=Service.INTAKE,
    sources=tuple(Service),
    event_types=frozenset(cls.type_name for cls in TRACKED),
    handle=apply,
    migrations=(DDL, "ALTER TABLE applications ADD COLUMN case_number text"),
    opens_personal_data=False,
)
