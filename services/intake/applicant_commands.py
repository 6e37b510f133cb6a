"""The applicant's steps after submitting: I/O around ``domain.applicant_actions``.

Each step loads the first application's aggregate, decides on its history and on the case
as intake's read model knows it, and appends with the aggregate's last sequence as the
optimistic check, sealed with the application's data key. A repeated request — the same
``Idempotency-Key`` and the same content — finds its own commit and is answered as the
first time; the same key with other content meets the rules (an answered question, an
objection lodged) or is refused as reused.

Files for an answer or an objection are uploaded before it under its Idempotency-Key, as
for an application: they are grouped by a key derived from the case and that key, and
stored under the first application's id, so erasure finds them with the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import structlog
from starlette.requests import Request

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.intake import AttachmentRef, ObjectionLodged
from contracts.procedures import procedure as definition_of
from contracts.procedures.base import AttachmentRule
from runtime.codec import Envelope
from runtime.datakeys import KeyErased
from runtime.eventstore import Cause, ConcurrencyConflict
from runtime.http import FieldError
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.intake import upload_store, uploads
from services.intake.commands import application_ref, next_case_number
from services.intake.domain import applicant_actions
from services.intake.domain.applicant_actions import ApplicantHistory, CaseView, Refused

log = structlog.get_logger(__name__)

ATTEMPTS = 5
ERASED = Refused(
    "application_data_must_exist",
    "Die Daten dieses Antrags sind gelöscht. Ein weiterer Schritt ist nicht möglich.",
)


class KeyReused(Exception):
    """The Idempotency-Key was used before for this step with other content."""


@dataclass(frozen=True)
class Done:
    """A step appended now, or found appended before (``repeated``)."""

    repeated: bool


@dataclass(frozen=True)
class Lodged:
    """An objection: the new case's id and Vorgangsnummer."""

    objection_id: UUID
    case_number: str | None
    repeated: bool


def follow_up_rule(procedure: str) -> AttachmentRule:
    """What files an answer or objection may carry: the procedure's limits, and always PDF,
    JPEG or PNG (a letter answering a question is a PDF, also where an application takes
    photos only)."""
    rule = definition_of(procedure).attachments
    return applicant_actions.follow_up_rule(rule)


def upload_group(case_id: UUID, key: str) -> UUID:
    """Which uploads belong together: those for one step (its key) on one case."""
    return derived_id("follow-up", case_id, key)


async def store_upload(
    runtime: Runtime, tenant: str, case: CaseView, key: str, request: Request
) -> AttachmentRef | FieldError:
    """One file from a multipart request (field ``file``) for the step with ``key``.

    Raises ``uploads.UploadRefused`` (413, 415, 422) and ``Refused`` (erased data).
    """
    rule = follow_up_rule(case.procedure)
    group = upload_group(case.case_id, key)
    if await upload_store.count(runtime.pool, group) >= rule.max_count:
        raise uploads.UploadRefused(422, f"Es sind höchstens {rule.max_count} Dateien möglich.")
    try:
        data_key = await runtime.keys.create(str(case.application_id))
    except KeyErased:
        raise ERASED from None
    attachment_id = new_id()
    name = f"{case.application_id}/{attachment_id}"
    received = await uploads.receive(request, rule, data_key, name)
    return await keep_upload(runtime, tenant, case, group, attachment_id, received)


async def keep_upload(
    runtime: Runtime,
    tenant: str,
    case: CaseView,
    group: UUID,
    attachment_id: UUID,
    received: uploads.Received,
) -> AttachmentRef:
    """Put a sealed upload into the object store and remember it for its step."""
    name = f"{case.application_id}/{attachment_id}"
    try:
        await runtime.attachments.put(name, received.spool)  # type: ignore[arg-type]
    finally:
        received.spool.close()
    reference = AttachmentRef(
        attachment_id=str(attachment_id),
        filename=received.filename,
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
    )
    await upload_store.record(
        runtime.pool,
        attachment_id=attachment_id,
        application_id=group,
        tenant=tenant,
        procedure=case.procedure,
        object_name=name,
        reference=reference,
    )
    return reference


async def uploaded(
    runtime: Runtime, case: CaseView, key: str | None, ids: list[UUID]
) -> list[AttachmentRef] | list[FieldError]:
    """The files a step names, uploaded before under its key (field errors for others)."""
    if not ids:
        return []
    group = upload_group(case.case_id, key or "")
    return await upload_store.lookup(runtime.pool, group, ids)


def answer_commit(case: CaseView, request_id: UUID, key: str | None, content: str) -> UUID:
    """The commit of an answer: the same key and content make the same one."""
    return derived_id(case.case_id, "answer", request_id, key, content) if key else new_id()


def objection_for(case: CaseView, key: str | None) -> UUID:
    """The objection's case id: the same key makes the same objection."""
    return derived_id(case.case_id, "objection", key or new_id())


async def recorded(runtime: Runtime, tenant: str, case: CaseView, commit_id: UUID) -> bool:
    """Whether the application already holds this commit (a form sent twice)."""
    loaded = await runtime.store.load(application_ref(tenant, case.application_id))
    return str(commit_id) in loaded.commit_ids


async def objection_lodged(
    runtime: Runtime, tenant: str, case: CaseView, objection_id: UUID
) -> bool:
    """Whether the objection with this id was lodged already (a form sent twice)."""
    loaded = await runtime.store.load(application_ref(tenant, case.application_id))
    return _objection(loaded.events, objection_id) is not None


async def answer(
    runtime: Runtime,
    tenant: str,
    case: CaseView,
    request_id: UUID,
    text: str | None,
    attachments: list[AttachmentRef],
    key: str | None,
    content: str,
) -> Done:
    """``InformationProvided``, once; raises ``Refused``."""
    commit_id = answer_commit(case, request_id, key, content)
    now = datetime.now(UTC)
    repeated = await _decide_and_append(
        runtime,
        tenant,
        case,
        commit_id,
        lambda history: applicant_actions.answer(case, history, request_id, text, attachments, now),
    )
    await _uploads_used(runtime, case, key)
    return Done(repeated)


async def withdraw(runtime: Runtime, tenant: str, case: CaseView, key: str | None) -> Done:
    """``ApplicationWithdrawn``, once; raises ``Refused``."""
    commit_id = derived_id(case.case_id, "withdrawal", key) if key else new_id()
    now = datetime.now(UTC)
    repeated = await _decide_and_append(
        runtime,
        tenant,
        case,
        commit_id,
        lambda history: applicant_actions.withdraw(case, history, now),
    )
    return Done(repeated)


async def lodge_objection(
    runtime: Runtime,
    tenant: str,
    town_name: str,
    case: CaseView,
    grounds: str | None,
    attachments: list[AttachmentRef],
    key: str | None,
    content: str,
) -> Lodged:
    """``ObjectionLodged`` with a new case id and Vorgangsnummer; raises ``Refused``,
    ``KeyReused``."""
    objection_id = objection_for(case, key)
    commit_id = derived_id(objection_id, content)
    loaded = await runtime.store.load(application_ref(tenant, case.application_id))
    earlier = _objection(loaded.events, objection_id)
    if earlier is not None:
        if str(commit_id) not in loaded.commit_ids:
            raise KeyReused(str(objection_id))
        return Lodged(objection_id, earlier.case_number, repeated=True)
    history = applicant_actions.fold(e.event for e in loaded.events)
    applicant_actions.check_objection(case, history, grounds)
    # Checked before a number is spent; a number a failed append took is skipped.
    now = datetime.now(UTC)
    number = await next_case_number(runtime.pool, tenant, town_name, german_date(now).year)
    objection = applicant_actions.Objection(objection_id, grounds, attachments, number, now)
    repeated = await _decide_and_append(
        runtime,
        tenant,
        case,
        commit_id,
        lambda history: applicant_actions.object_to(case, history, objection),
    )
    await _uploads_used(runtime, case, key)
    return Lodged(objection_id, number, repeated)


def _objection(
    events: Sequence[Envelope[DomainEvent]], objection_id: UUID
) -> ObjectionLodged | None:
    lodged = (e.event for e in events if isinstance(e.event, ObjectionLodged))
    return next((event for event in lodged if event.objection_id == objection_id), None)


Decide = Callable[[ApplicantHistory], list[DomainEvent]]


async def _decide_and_append(
    runtime: Runtime, tenant: str, case: CaseView, commit_id: UUID, decide: Decide
) -> bool:
    """Load, decide, append; start over when another step came first. Whether it was a
    repeat of a commit that had landed before."""
    ref = application_ref(tenant, case.application_id)
    cause = Cause(actor="citizen", correlation_id=new_id())
    for _ in range(ATTEMPTS):
        loaded = await runtime.store.load(ref)
        if str(commit_id) in loaded.commit_ids:
            return True
        if not loaded.events:
            raise ERASED  # no application to act on (never seen, or its log is gone)
        events = decide(applicant_actions.fold(e.event for e in loaded.events))
        try:
            result = await runtime.store.append(
                ref,
                events,
                expected_seq=loaded.last_seq,
                commit_id=commit_id,
                data_key=str(case.application_id),
                cause=cause,
            )
        except KeyErased:
            raise ERASED from None
        except ConcurrencyConflict:
            continue
        log.info(
            "applicant step recorded",
            case_id=str(case.case_id),
            events=[e.type_name for e in events],
            duplicate=result.duplicate,
        )
        return result.duplicate
    raise ConcurrencyConflict(str(ref), -1)


async def _uploads_used(runtime: Runtime, case: CaseView, key: str | None) -> None:
    if key:
        await upload_store.mark_submitted(runtime.pool, upload_group(case.case_id, key))
