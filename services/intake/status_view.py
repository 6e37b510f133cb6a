"""What a tracking link shows, and what it lets its holder do: one answer for the JSON API,
the status page and the widget, so they cannot disagree about who may see or do what.

The token is checked before anything is read. A clerk's question is opened here, from the
commit casework sealed with the application's key, for the one request that shows it; it is
never kept in clear (an erased application's question reads as ``None``).

An objection is followed with a token of its own, derived from its id like any
application's: the first application's status links to it, but the objection's link opens
the objection only. So the link stays what it is everywhere — one case, one token — and an
applicant may hand the objection's link to a lawyer without opening the first case's data
(its form, its questions) to them.
"""

from __future__ import annotations

from enum import Enum
from typing import Any
from uuid import UUID

import structlog

from contracts.calendar import objection_period_end
from contracts.events.casework import InformationRequested
from contracts.procedures import procedure_title
from runtime.codec import EventCodec, EventUnreadable
from runtime.service import Runtime
from services.intake import commands, queries
from services.intake.api.schemas import (
    ApplicationStatus,
    DecisionInfo,
    DocumentLink,
    LinkedCase,
    OpenRequest,
)
from services.intake.domain.applicant_actions import allowed
from services.intake.settings import IntakeSettings

log = structlog.get_logger(__name__)


class Untracked(Enum):
    """Why a tracking link shows no application."""

    NOT_FOUND = "not_found"
    """No or a wrong token: says nothing about whether the application exists."""
    NOT_VISIBLE_YET = "not_visible_yet"
    """The token is right (so it was submitted), but the read model has not caught up yet."""


class Links:
    """The addresses a tracking link's holder may use, each carrying the token."""

    def __init__(self, settings: IntakeSettings, application_id: UUID) -> None:
        self._base = settings.public_base_url
        self._secret = settings.tracking_key
        self.application_id = application_id
        self.token = commands.tracking_token(self._secret, application_id)

    def api(self, path: str = "") -> str:
        """``…/api/v1/applications/{id}{path}?token=…``."""
        return f"{self._base}/api/v1/applications/{self.application_id}{path}?token={self.token}"

    def status_url(self, case_id: UUID) -> str:
        """Another case's JSON status, with that case's own token."""
        return commands.status_url(self._base, self._secret, case_id)

    def status_page_url(self, case_id: UUID) -> str:
        """Another case's status page, with that case's own token."""
        return commands.status_page_url(self._base, self._secret, case_id)


def token_valid(settings: IntakeSettings, application_id: UUID, token: str | None) -> bool:
    """Whether ``token`` is the tracking token of ``application_id`` (constant time)."""
    return bool(token) and commands.token_matches(
        settings.tracking_key, application_id, token or ""
    )


async def tracked_status(
    runtime: Runtime, settings: IntakeSettings, application_id: UUID, token: str | None
) -> ApplicationStatus | Untracked:
    """What a tracking link shows."""
    if not token_valid(settings, application_id, token):
        return Untracked.NOT_FOUND
    found = await queries.application_status(runtime.pool, application_id)
    if found is None:
        return Untracked.NOT_VISIBLE_YET
    return await status_of(runtime.store.codec, Links(settings, application_id), found)


async def status_of(codec: EventCodec, links: Links, found: dict[str, Any]) -> ApplicationStatus:
    """The status as the applicant reads it, from the read model's answer."""
    case = queries.case_view_of(found)
    may = allowed(case, queries.history_of(found))
    # A question can be answered while the case may still be withdrawn: open, undecided.
    answerable = may.withdraw
    objection = found["objections"][0] if found["objections"] else None
    return ApplicationStatus(
        application_id=found["application_id"],
        case_number=found["case_number"],
        town=found["tenant"],
        town_name=found["town_name"],
        procedure=found["procedure"],
        procedure_title=title_of(found),
        submitted_at=found["submitted_at"],
        status=found["status"],
        status_label=found["status_label"],
        timeline=found["timeline"],
        kind="objection" if found["objection_to"] else "application",
        objection_to_case_number=found["objection_to_number"],
        expected_decision=found["deadline"] if found["outcome"] is None else None,
        open_requests=[
            OpenRequest(
                request_id=row["request_id"],
                question=await question(codec, row),
                due=row["due"],
                answer_url=links.api(f"/information/{row['request_id']}"),
            )
            for row in found["open_requests"]
        ]
        if answerable
        else [],
        decision=decision_of(found, links),
        withdrawn=found["withdrawn_at"] is not None or found["closed_reason"] == "withdrawn",
        objection=LinkedCase(
            application_id=objection["application_id"],
            case_number=objection["case_number"],
            status_url=links.status_url(objection["application_id"]),
            status_page_url=links.status_page_url(objection["application_id"]),
        )
        if objection
        else None,
        withdraw_url=links.api("/withdrawal") if may.withdraw else None,
        objection_url=links.api("/objection") if may.object else None,
        attachments_url=links.api("/attachments"),
    )


def title_of(found: dict[str, Any]) -> str:
    """``Gewerbeanmeldung``, or ``Widerspruch (Gewerbeanmeldung)`` for an objection."""
    title = procedure_title(found["procedure"])
    return f"Widerspruch ({title})" if found["objection_to"] else title


def decision_of(found: dict[str, Any], links: Links) -> DecisionInfo | None:
    """The decision, its Bekanntgabe and the objection period (none after an objection's)."""
    if found["outcome"] is None:
        return None
    known_on = found["known_on"]
    document = found["document"]
    return DecisionInfo(
        outcome=found["outcome"],
        known_on=known_on,
        objection_until=(
            objection_period_end(known_on) if known_on and not found["objection_to"] else None
        ),
        document=DocumentLink(
            filename=document["filename"],
            content_type=document["content_type"],
            size=document["size"],
            download_url=links.api("/decision-document"),
        )
        if document
        else None,
    )


async def question(codec: EventCodec, row: dict[str, Any]) -> str | None:
    """The clerk's question, opened from its sealed commit (``None`` once erased)."""
    if row["sealed_commit"] is None:
        return None
    try:
        envelopes = await codec.decode(bytes(row["sealed_commit"]))
    except EventUnreadable:
        log.warning("a request's commit cannot be read", request_id=str(row["request_id"]))
        return None
    asked = (
        e.event
        for e in envelopes
        if e.meta.event_id == row["event_id"] and isinstance(e.event, InformationRequested)
    )
    return next((event.question for event in asked), None)
