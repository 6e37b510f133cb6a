"""The desk API's bodies: what clerks send, and how queues and cases look as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Ags
from contracts.events.casework import DocumentRef, FeeBasis, RuleOutcome
from contracts.events.intake import AttachmentRef
from contracts.procedures import procedure_title
from services.casework.case_view import VERDICTS, CaseView
from services.casework.domain.case import STATUS_LABELS
from services.casework.queries import QueueCount, QueuePage

Text = str


class Command(BaseModel):
    """What every command may carry: the case version the clerk saw (refused if stale)."""

    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(
        default=None, ge=0, description="Version des Vorgangs, auf der die Aktion beruht"
    )


class ClerkRef(BaseModel):
    """A clerk, as the desk knows them."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    town: Ags
    email: str | None = Field(default=None, max_length=320)


class Reassign(Command):
    """Give the case to another clerk."""

    to: ClerkRef
    reason: Text = Field(max_length=4000)


class RequestInformation(Command):
    """Ask the applicant."""

    question: Text = Field(max_length=4000, description="Die Frage an die antragstellende Person")
    due: date = Field(description="Bis wann die Antwort erwartet wird")


class RequestHearing(Command):
    """Hear a body of the competent town's configuration."""

    body: str = Field(min_length=1, max_length=100, description="Kennung der Stelle, z. B. polizei")
    subject: Text = Field(default="", max_length=4000)
    due: date | None = Field(default=None, description="Frist; ohne Angabe die der Gemeinde")


class AnswerHearing(Command):
    """A body's answer, recorded by the clerk."""

    verdict: Literal["zustimmung", "zustimmung_mit_auflagen", "ablehnung", "stellungnahme"]
    statement: Text = Field(default="", max_length=4000)
    conditions: list[Text] = Field(default_factory=list, max_length=30)


class Overrule(Command):
    """Set a failed rule aside."""

    rule: str = Field(min_length=1, max_length=200)
    reason: Text = Field(max_length=4000)


class Decide(Command):
    """The decision."""

    outcome: Literal["approved", "rejected"]
    conditions: list[Text] = Field(default_factory=list, max_length=30)
    reasons: list[Text] = Field(default_factory=list, max_length=30)
    fee: FeeBasis | None = None


class Confirm(Command):
    """Confirm the prepared decision."""

    fee: FeeBasis | None = None


class ReportStatus(Command):
    """Tell the applicant how things stand."""

    status: Literal["in_bearbeitung", "weitergeleitet", "behoben", "nicht_zustaendig"]
    note: Text = Field(default="", max_length=4000)


class Move(Command):
    """Let other towns process the case."""

    processing_towns: list[Ags] = Field(max_length=50)
    reason: Text = Field(max_length=4000)


class Agreement(BaseModel):
    """A delegation agreement."""

    model_config = ConfigDict(extra="forbid")

    processing_towns: list[Ags] = Field(max_length=50)
    valid_from: date | None = None
    valid_until: date | None = None


class Acted(BaseModel):
    """What a command changed."""

    case_id: UUID
    events: list[str] = Field(description="Die aufgezeichneten Ereignisse (leer: nichts zu tun)")
    version: int = Field(description="Version des Vorgangs danach")


class QueueRowOut(BaseModel):
    """A case in the queue."""

    case_id: UUID
    case_number: str | None
    procedure: str
    procedure_title: str
    applicant_name: str | None
    status: str
    status_label: str
    competent_town: str | None
    deadline: date | None
    urgent: bool
    claimed_by: str | None
    claimed_by_name: str | None
    deadline_notice: str | None
    opened_at: datetime | None


class QueueOut(BaseModel):
    """A page of a town's queue."""

    town: str
    rows: list[QueueRowOut]
    next_cursor: str | None


class CountOut(BaseModel):
    """Open cases of a procedure in a status."""

    procedure: str
    procedure_title: str
    status: str
    status_label: str
    count: int


def queue_out(page: QueuePage) -> QueueOut:
    """The JSON of a queue page."""
    return QueueOut(
        town=page.filters.town,
        rows=[
            QueueRowOut(
                **row.__dict__,
                procedure_title=procedure_title(row.procedure),
                status_label=STATUS_LABELS.get(row.status, row.status),
            )
            for row in page.rows
        ],
        next_cursor=page.next_cursor,
    )


def counts_out(counts: list[QueueCount]) -> list[CountOut]:
    """The JSON of queue counts."""
    return [
        CountOut(
            procedure=c.procedure,
            procedure_title=procedure_title(c.procedure),
            status=c.status,
            status_label=STATUS_LABELS.get(c.status, c.status),
            count=c.count,
        )
        for c in counts
    ]


class RequestOut(BaseModel):
    """A request for information and its answer."""

    request_id: UUID
    question: str | None
    due: date
    asked_by: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    attachments: list[AttachmentRef]


class HearingOut(BaseModel):
    """A hearing."""

    hearing_id: UUID
    body: str
    body_name: str
    subject: str
    due: date
    requested_at: datetime
    verdict: str | None
    verdict_label: str | None
    statement: str
    conditions: list[str]
    recorded_by: str | None
    answered_at: datetime | None
    deadline_passed: bool


class HistoryOut(BaseModel):
    """A line of the history."""

    at: datetime
    actor: str
    text: str


class MessageOut(BaseModel):
    """A message about the case (notify's) and how its delivery went."""

    message_id: UUID
    template: str
    label: str = Field(description="Was die Nachricht war, z. B. „Eingangsbestätigung“")
    status: Literal["delivered", "deferred", "bounced", "failed"]
    status_label: str = Field(
        description="zugestellt an den Mailserver, verzögert, unzustellbar (Bounce) oder"
        " fehlgeschlagen"
    )
    recipient: str | None
    detail: str | None = Field(description="Statuscode und Meldung des Mailservers, soweit bekannt")
    at: datetime


class CaseOut(BaseModel):
    """A case, now or as it was at ``as_of``."""

    case_id: UUID
    version: int
    as_of: datetime | None
    case_number: str | None
    procedure: str
    procedure_title: str
    status: str
    status_label: str
    competent_town: str
    processing_towns: list[str]
    deadline: date | None
    urgent: bool
    objection_to: UUID | None
    claimed_by: ClerkRef | None
    claimed_at: datetime | None
    applicant_name: str | None
    applicant_email: str | None
    submitted_at: datetime | None
    form_version: int | None
    form: dict[str, Any] | None
    attachments: list[AttachmentRef]
    objection_grounds: str | None
    rule_outcomes: list[RuleOutcome]
    overruled: dict[str, str]
    prepared: str | None
    requests: list[RequestOut]
    hearings: list[HearingOut]
    outcome: str | None
    conditions: list[str]
    reasons: list[str]
    fee: FeeBasis | None
    decided_by: str | None
    decided_at: datetime | None
    document: DocumentRef | None
    dispatched_at: datetime | None
    known_on: date | None
    history: list[HistoryOut]
    suggested_hearings: list[str] = Field(
        description="Stellen, die das Verfahren anhören sollte und die noch nicht angehört sind"
    )
    messages: list[MessageOut] = Field(
        default_factory=list, description="Nachrichten zum Vorgang und ihr Zustellstatus"
    )


def case_out(view: CaseView) -> CaseOut:
    """The JSON of a case view."""
    state = view.state
    holder = state.claimed_by
    return CaseOut(
        case_id=view.case_id,
        version=state.version,
        as_of=view.as_of,
        case_number=view.case_number,
        procedure=state.procedure,
        procedure_title=view.procedure_title,
        status=view.status,
        status_label=view.status_label,
        competent_town=state.competent_town,
        processing_towns=list(state.processing_towns),
        deadline=state.deadline,
        urgent=state.urgent,
        objection_to=state.objection_to,
        claimed_by=ClerkRef(**holder.model_dump()) if holder else None,
        claimed_at=state.claimed_at,
        applicant_name=view.applicant_name,
        applicant_email=view.applicant_email,
        submitted_at=view.submitted_at,
        form_version=view.form_version,
        form=view.form,
        attachments=view.attachments,
        objection_grounds=view.objection_grounds,
        rule_outcomes=view.rule_outcomes,
        overruled=view.overrulings,
        prepared=state.prepared,
        requests=[RequestOut(**r.__dict__) for r in view.requests],
        hearings=[
            HearingOut(**h.__dict__, verdict_label=VERDICTS.get(h.verdict or ""))
            for h in view.hearings
        ],
        outcome=view.outcome,
        conditions=view.conditions,
        reasons=view.reasons,
        fee=view.fee,
        decided_by=view.decided_by,
        decided_at=view.decided_at,
        document=view.document,
        dispatched_at=view.dispatched_at,
        known_on=view.known_on,
        history=[HistoryOut(**h.__dict__) for h in view.history],
        suggested_hearings=view.suggested_hearings,
        messages=[
            MessageOut(**m.__dict__, label=m.label, status_label=m.status_label)
            for m in view.messages
        ],
    )
