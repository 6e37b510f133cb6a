"""intake's command handlers: I/O around the pure domain (load, decide, append)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from pydantic import BaseModel

from contracts.calendar import german_date
from contracts.events.intake import (
    ApplicationSubmitted,
    AttachmentRef,
)
from contracts.naming import Service
from runtime.datakeys import KeyErased
from runtime.eventstore import (
    AggregateRef,
    AppendResult,
    Cause,
    ConcurrencyConflict,
    LoadedAggregate,
)
from runtime.ids import derived_id
from runtime.service import Runtime
from services.intake.domain import application, case_numbers
from services.intake.settings import IntakeSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Submitted:
    """The outcome of a submission: its id and case number, and whether it came before."""

    application_id: UUID
    repeated: bool
    case_number: str | None = None


class SubmittedDifferently(Exception):
    """The idempotency key was used before for an application with other content."""


class ApplicationErased(Exception):
    """The idempotency key names an application whose personal data has been erased."""


def application_ref(tenant: str, application_id: UUID) -> AggregateRef:
    """Where an application's events live."""
    return AggregateRef(Service.INTAKE, tenant, "application", str(application_id))


def application_id_for(tenant: str, procedure: str, idempotency_key: str) -> UUID:
    """The same town, procedure and idempotency key always name the same application.

    So a key never expires: the application's subject stays in the stream as long as the
    stream does, and a retry years later still finds it (and is answered 200, or 409).
    """
    return derived_id("application", tenant, procedure, idempotency_key)


def content_hash(body: dict[str, Any]) -> str:
    """A stable hash of a request body: a retry under the same key must carry the same one.

    It is never an idempotency key itself: two applications with the same content are two
    applications unless the client says otherwise by sending the same ``Idempotency-Key``.
    """
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def tracking_token(secret: str, application_id: UUID) -> str:
    """The secret part of the tracking link: whoever has it may see the status."""
    mac = hmac.new(secret.encode(), str(application_id).encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def tracking_digest(secret: str, application_id: UUID) -> str:
    """What the log may know of the token: its SHA-256, which archive checks inspections by."""
    return hashlib.sha256(tracking_token(secret, application_id).encode()).hexdigest()


def status_url(base_url: str, secret: str, application_id: UUID) -> str:
    """The tracking link for programs (the widget): the status as JSON."""
    token = tracking_token(secret, application_id)
    return f"{base_url}/api/v1/applications/{application_id}?token={token}"


def status_page_url(base_url: str, secret: str, application_id: UUID) -> str:
    """The tracking link for people, the one the e-mail carries: the status as a page."""
    token = tracking_token(secret, application_id)
    return f"{base_url}/antraege/{application_id}?token={token}"


def token_matches(secret: str, application_id: UUID, token: str) -> bool:
    """Constant-time check of a tracking token (as bytes: a typed-in umlaut is no crash)."""
    expected = tracking_token(secret, application_id).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))


async def submit(
    runtime: Runtime,
    settings: IntakeSettings,
    *,
    tenant: str,
    town_name: str,
    procedure: str,
    form_version: int,
    form: BaseModel,
    attachments: list[AttachmentRef],
    idempotency_key: str,
    body_hash: str,
    correlation_id: UUID,
    base_url: str,
) -> Submitted:
    """Append ``ApplicationSubmitted`` exactly once (the files were uploaded before).

    Raises ``SubmittedDifferently`` when the idempotency key was used for other content.
    """
    application_id = application_id_for(tenant, procedure, idempotency_key)
    commit_id = derived_id(application_id, "submitted", body_hash)
    data_key = str(application_id)
    ref = application_ref(tenant, application_id)
    try:
        await runtime.keys.create(data_key)
    except KeyErased:
        raise ApplicationErased(application_id) from None
    if (await runtime.store.head(ref))[0]:  # submitted before: a retry, a double click
        return _repeated(application_id, str(commit_id), await runtime.store.load(ref))
    now = datetime.now(UTC)
    number = await next_case_number(runtime.pool, tenant, town_name, german_date(now).year)
    command = application.SubmitApplication(
        application_id=application_id,
        procedure=procedure,
        form_version=form_version,
        form=form,
        attachments=attachments,
        submitted_at=now,
        tracking_url=status_page_url(base_url, settings.tracking_key, application_id),
        case_number=number,
        tracking_digest=tracking_digest(settings.tracking_key, application_id),
    )
    # A submission is its aggregate's first commit: no need to load, a repeat finds the
    # subject taken (and the event store recognises its own commit id as a duplicate).
    events = application.decide_submission([], command)
    try:
        result: AppendResult = await runtime.store.append(
            ref,
            events,
            expected_seq=0,
            data_key=data_key,
            commit_id=commit_id,
            cause=Cause(actor="citizen", correlation_id=correlation_id),
        )
    except ConcurrencyConflict:
        # Submitted concurrently (a double click), with the same or other content.
        return _repeated(application_id, str(commit_id), await runtime.store.load(ref))
    log.info(
        "application submitted",
        application_id=str(application_id),
        procedure=procedure,
        duplicate=result.duplicate,
    )
    return Submitted(application_id, repeated=result.duplicate, case_number=number)


def _repeated(application_id: UUID, commit_id: str, stored: LoadedAggregate) -> Submitted:
    if commit_id not in stored.commit_ids:
        raise SubmittedDifferently(str(application_id))
    first = next(
        (e.event for e in stored.events if isinstance(e.event, ApplicationSubmitted)), None
    )
    return Submitted(
        application_id, repeated=True, case_number=first.case_number if first else None
    )


async def next_case_number(pool: asyncpg.Pool, tenant: str, town_name: str, year: int) -> str:
    """The town's next Vorgangsnummer of the year (a number a failed submission took is skipped)."""
    number: int = await pool.fetchval(
        "INSERT INTO case_numbers VALUES ($1, $2, 1) ON CONFLICT (tenant, year)"
        " DO UPDATE SET last = case_numbers.last + 1 RETURNING last",
        tenant,
        year,
    )
    return case_numbers.case_number(case_numbers.town_code(town_name), year, number)


def town_ref(ags: str) -> AggregateRef:
    """Where a town's catalogue lives."""
    return AggregateRef(Service.INTAKE, ags, "town", ags)
