"""What the applicant may do after submitting (pure): answer a request for information,
withdraw, object to the decision.

Each is decided on two things: the application's own history in intake's log (what the
applicant did before: answers, withdrawals, objections) and ``CaseView`` — what intake has
learnt of the case from casework's events (the requests asked, the decision, the closing).
All of it happens on the first application's aggregate, also for an objection's case, so
one optimistic check guards every step of one applicant's matter and everything is sealed
with one data key (erasing the application erases its objection).

A refusal is a named rule (``Refused.rule``) with the German message the applicant reads,
and the HTTP status it maps to: 409 when the case's state forbids it, 422 when the input is
wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from contracts.base import DomainEvent
from contracts.events.intake import (
    ApplicationWithdrawn,
    AttachmentRef,
    InformationProvided,
    ObjectionLodged,
)
from contracts.procedures.base import AttachmentRule
from services.intake.attachments import size_in_words

MAX_TEXT = 10_000
"""Characters an answer or an objection's grounds may have (about four pages)."""
FOLLOW_UP_TYPES = AttachmentRule().content_types
"""PDF, JPEG and PNG."""


def follow_up_rule(rule: AttachmentRule) -> AttachmentRule:
    """The files an answer or an objection may carry: as many and as large as the
    procedure's application, and always PDF, JPEG or PNG (a letter answering a question is
    a PDF, also where the application itself takes photos only)."""
    size = size_in_words(rule.max_bytes)
    return AttachmentRule(
        max_count=rule.max_count,
        max_bytes=rule.max_bytes,
        content_types=rule.content_types | FOLLOW_UP_TYPES,
        hint=f"PDF, JPEG oder PNG, höchstens {rule.max_count} Dateien zu je {size}.",
    )


class Refused(Exception):
    """A rule forbids the step: its name, the German reason, where it shows, which status."""

    def __init__(self, rule: str, message: str, status: int = 409, field: str | None = None):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True)
class CaseView:
    """What intake knows of a case the applicant acts on (from its read model)."""

    case_id: UUID
    """The application's id — or, for an objection, the objection's (its own case)."""
    application_id: UUID
    """The first application: its aggregate holds the applicant's steps, its key seals them."""
    procedure: str
    objection_to: UUID | None = None
    requests: frozenset[UUID] = frozenset()
    """Requests for information casework asked on this case."""
    outcome: str | None = None
    closed_reason: str | None = None

    @property
    def what(self) -> str:
        """How the applicant calls the case: their application, or their objection."""
        return "Widerspruch" if self.objection_to else "Antrag"


@dataclass(frozen=True)
class ApplicantHistory:
    """The applicant's own steps so far, from the application's events."""

    answered: frozenset[UUID] = frozenset()
    withdrawn: frozenset[UUID] = frozenset()
    objections: dict[UUID, str | None] = field(default_factory=dict)
    """Objections lodged: their case numbers, by the case they object to."""


def fold(events: Iterable[DomainEvent]) -> ApplicantHistory:
    """The history the application's events describe."""
    answered: set[UUID] = set()
    withdrawn: set[UUID] = set()
    objections: dict[UUID, str | None] = {}
    for event in events:
        if isinstance(event, InformationProvided):
            answered.add(event.request_id)
        elif isinstance(event, ApplicationWithdrawn):
            withdrawn.add(event.application_id)
        elif isinstance(event, ObjectionLodged):
            objections[event.application_id] = event.case_number
    return ApplicantHistory(frozenset(answered), frozenset(withdrawn), objections)


# --- the rules ---------------------------------------------------------------------------


def text_must_fit(text: str | None, field: str, *, required: bool) -> str | None:
    """An answer must say something; no text may exceed ``MAX_TEXT``. Returns it trimmed."""
    trimmed = (text or "").strip()
    if required and not trimmed:
        raise Refused("answer_must_not_be_empty", "Bitte geben Sie Ihre Antwort ein.", 422, field)
    if len(trimmed) > MAX_TEXT:
        raise Refused(
            "text_must_fit",
            f"Der Text ist zu lang (höchstens {MAX_TEXT} Zeichen).",
            422,
            field,
        )
    return trimmed or None


def request_must_be_known(case: CaseView, request_id: UUID) -> None:
    """Only a question casework asked on this very case can be answered."""
    if request_id not in case.requests:
        raise Refused(
            "request_must_be_known",
            f"Zu Ihrem {case.what} gibt es diese Rückfrage nicht. Bitte laden Sie die Seite "
            "neu: Dort sehen Sie die offenen Rückfragen.",
        )


def request_must_be_unanswered(history: ApplicantHistory, request_id: UUID) -> None:
    """A question is answered once; more can be said when the clerk asks again."""
    if request_id in history.answered:
        raise Refused(
            "request_must_be_unanswered",
            "Diese Rückfrage haben Sie bereits beantwortet. Ihre Antwort liegt der "
            "Sachbearbeitung vor.",
        )


def case_must_be_open(case: CaseView, history: ApplicantHistory, step: str) -> None:
    """Nothing more is done on a case that is decided, closed or withdrawn (``step``: what
    the applicant tried, „eine Rücknahme“)."""
    if case.case_id in history.withdrawn or case.closed_reason == "withdrawn":
        raise Refused(
            "application_must_not_be_withdrawn",
            f"Sie haben Ihren {case.what} bereits zurückgenommen.",
        )
    if case.outcome is not None:
        raise Refused(
            "application_must_be_undecided",
            f"Über Ihren {case.what} ist bereits entschieden; {step} ist nicht mehr möglich."
            + ("" if case.objection_to else " Gegen den Bescheid können Sie Widerspruch einlegen."),
        )
    if case.closed_reason is not None:
        raise Refused(
            "case_must_be_open",
            f"Der Vorgang zu Ihrem {case.what} ist abgeschlossen; {step} ist nicht mehr möglich.",
        )


def objection_needs_a_decision(case: CaseView) -> None:
    """One objects to a decision (Bescheid), so there must be one."""
    if case.outcome is None:
        raise Refused(
            "objection_needs_a_decision",
            "Ein Widerspruch ist erst möglich, wenn über Ihren Antrag entschieden ist.",
        )


def no_objection_against_an_objection_decision(case: CaseView) -> None:
    """Against the decision on an objection the remedy is an action in court (§ 68 VwGO)."""
    if case.objection_to is not None:
        raise Refused(
            "no_objection_against_an_objection_decision",
            "Gegen einen Widerspruchsbescheid ist kein weiterer Widerspruch möglich. Wie Sie "
            "dagegen vorgehen können (Klage beim Verwaltungsgericht), steht in der "
            "Rechtsbehelfsbelehrung des Bescheids.",
        )


def one_objection_per_decision(case: CaseView, history: ApplicantHistory) -> None:
    """An objection already lodged is the one the authority decides on."""
    if case.case_id in history.objections:
        earlier = history.objections[case.case_id]
        number = f" (Vorgangsnummer {earlier})" if earlier else ""
        raise Refused(
            "one_objection_per_decision",
            f"Gegen diesen Bescheid haben Sie bereits Widerspruch eingelegt{number}. Weitere "
            "Gründe können Sie dort nachreichen, wenn die Sachbearbeitung nachfragt.",
        )


# --- the decisions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """Which steps the rules allow now: what the page and the widget offer."""

    withdraw: bool
    object: bool


def allowed(case: CaseView, history: ApplicantHistory) -> Allowed:
    """The same rules the commands apply, asked before the applicant tries."""
    return Allowed(
        withdraw=_passes(lambda: case_must_be_open(case, history, "eine Rücknahme")),
        object=_passes(lambda: check_objection(case, history, None)),
    )


def _passes(rule: Callable[[], None]) -> bool:
    try:
        rule()
    except Refused:
        return False
    return True


def answer(
    case: CaseView,
    history: ApplicantHistory,
    request_id: UUID,
    text: str | None,
    attachments: list[AttachmentRef],
    now: datetime,
) -> list[DomainEvent]:
    """``InformationProvided`` for an open question of an open case."""
    trimmed = text_must_fit(text, "answer", required=True)
    request_must_be_known(case, request_id)
    request_must_be_unanswered(history, request_id)
    case_must_be_open(case, history, "eine Antwort")
    return [
        InformationProvided(
            application_id=case.case_id,
            request_id=request_id,
            answer=trimmed,
            attachments=attachments or None,
            provided_at=now,
        )
    ]


def withdraw(case: CaseView, history: ApplicantHistory, now: datetime) -> list[DomainEvent]:
    """``ApplicationWithdrawn`` for a case not yet decided (an application or an objection)."""
    case_must_be_open(case, history, "eine Rücknahme")
    return [ApplicationWithdrawn(application_id=case.case_id, withdrawn_at=now)]


@dataclass(frozen=True)
class Objection:
    """The command: object to the decision on ``case`` — a new case with its own number."""

    objection_id: UUID
    grounds: str | None
    attachments: list[AttachmentRef]
    case_number: str | None
    now: datetime


def check_objection(case: CaseView, history: ApplicantHistory, grounds: str | None) -> None:
    """Whether an objection may be lodged (before a case number is spent on it)."""
    text_must_fit(grounds, "grounds", required=False)
    no_objection_against_an_objection_decision(case)
    objection_needs_a_decision(case)
    one_objection_per_decision(case, history)


def object_to(case: CaseView, history: ApplicantHistory, objection: Objection) -> list[DomainEvent]:
    """``ObjectionLodged`` against a decided application (not against an objection's)."""
    check_objection(case, history, objection.grounds)
    return [
        ObjectionLodged(
            application_id=case.case_id,
            objection_id=objection.objection_id,
            procedure=case.procedure,
            grounds=text_must_fit(objection.grounds, "grounds", required=False),
            attachments=objection.attachments or None,
            lodged_at=objection.now,
            case_number=objection.case_number,
        )
    ]
