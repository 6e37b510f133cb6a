"""What a clerk does with a case (pure): each function decides on the case's state.

Every function returns the events to append, or raises ``Refused`` — nothing half-done.
A clerk works on a case they hold (claimed or reassigned to them); a supervisor may take
over a claim older than the town's ``stale_claim_hours`` and give cases to others. Who may
see the case at all (town, delegation, procedure) is the API's check before it gets here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import GERMANY, german_date
from contracts.events.casework import (
    AutomatedRuleOverruled,
    CaseClaimed,
    CaseClosed,
    CaseDecided,
    CaseMoved,
    CaseReassigned,
    CaseReleased,
    Clerk,
    FeeBasis,
    HeardBody,
    HearingAnswered,
    HearingRequested,
    InformationRequested,
    StatusReported,
)
from contracts.procedures import ProcedureId
from services.casework.domain.case import Case
from services.casework.domain.fees import check_fee_basis
from services.casework.domain.refusals import Refused

MAX_TEXT = 4000
MAX_ITEMS = 30


def actor(clerk: Clerk) -> str:
    """How ``decided_by`` and ``recorded_by`` name a clerk."""
    return f"clerk:{clerk.id}@{clerk.town}"


def check_version(case: Case, expected: int | None) -> None:
    """Refuse a command made on an older state of the case than the current one."""
    if expected is not None and expected != case.version:
        raise Refused(
            "stale",
            "Der Vorgang wurde inzwischen geändert. Bitte laden Sie ihn neu und prüfen Sie"
            " die Änderungen.",
        )


def _open(case: Case) -> None:
    if case.closed_reason == "withdrawn":
        raise Refused("withdrawn", "Der Antrag wurde zurückgenommen.")
    if case.decided or case.closed:
        raise Refused("decided", "Der Vorgang ist bereits entschieden.")


def _holds(case: Case, clerk: Clerk) -> None:
    _open(case)
    if case.claimed_by is None:
        raise Refused("not_claimed", "Übernehmen Sie den Vorgang zuerst.")
    if case.claimed_by.id != clerk.id:
        raise Refused(
            "claimed_by_other", f"Der Vorgang wird von {case.claimed_by.name} bearbeitet."
        )


def _text(value: str, field: str, what: str, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise Refused.invalid("missing", f"{what} fehlt.", field)
    if len(text) > MAX_TEXT:
        raise Refused.invalid(
            "too_long", f"{what} ist zu lang (höchstens {MAX_TEXT} Zeichen).", field
        )
    return text


def _texts(values: list[str], field: str, what: str) -> list[str]:
    texts = [_text(v, field, what) for v in values if v.strip()]
    if len(texts) > MAX_ITEMS:
        raise Refused.invalid("too_many", f"Höchstens {MAX_ITEMS} {what}.", field)
    return texts


def claim(
    case: Case, clerk: Clerk, now: datetime, *, supervisor: bool, stale_after: timedelta
) -> list[DomainEvent]:
    """Take the case; a second claim by the same clerk changes nothing."""
    _open(case)
    holder = case.claimed_by
    if holder is not None and holder.id == clerk.id:
        return []
    if holder is not None:
        stale = case.claimed_at is not None and now - case.claimed_at >= stale_after
        if not (supervisor and stale):
            raise Refused(
                "claimed_by_other", f"Der Vorgang wird bereits von {holder.name} bearbeitet."
            )
        return [
            CaseClaimed(case_id=case.case_id, clerk=clerk, claimed_at=now, taken_over_from=holder)
        ]
    return [CaseClaimed(case_id=case.case_id, clerk=clerk, claimed_at=now)]


def release(case: Case, clerk: Clerk, now: datetime, *, supervisor: bool) -> list[DomainEvent]:
    """Give the case back to the queue (the holder, or a supervisor for them)."""
    _open(case)
    if case.claimed_by is None:
        return []
    if case.claimed_by.id != clerk.id and not supervisor:
        raise Refused(
            "claimed_by_other", f"Der Vorgang wird von {case.claimed_by.name} bearbeitet."
        )
    return [CaseReleased(case_id=case.case_id, clerk=case.claimed_by, released_at=now)]


def reassign(case: Case, by: Clerk, to: Clerk, reason: str, now: datetime) -> list[DomainEvent]:
    """A supervisor gives the case to another clerk (entitled to it: the API checks)."""
    _open(case)
    why = _text(reason, "reason", "Der Grund der Zuweisung")
    if case.claimed_by is not None and case.claimed_by.id == to.id:
        return []
    return [CaseReassigned(case_id=case.case_id, to=to, by=by, reason=why, reassigned_at=now)]


def move(case: Case, towns: list[str], by: str, reason: str, now: datetime) -> list[DomainEvent]:
    """Let other towns process an open case (a new delegation, applied to it on purpose)."""
    _open(case)
    wanted = [case.competent_town, *[t for t in dict.fromkeys(towns) if t != case.competent_town]]
    if tuple(wanted) == case.processing_towns:
        return []
    why = _text(reason, "reason", "Der Grund")
    return [
        CaseMoved(case_id=case.case_id, processing_towns=wanted, by=by, reason=why, moved_at=now)
    ]


def request_information(
    case: Case, clerk: Clerk, request_id: UUID, question: str, due: date, now: datetime
) -> list[DomainEvent]:
    """Ask the applicant; the case waits for the answer (or the clerk decides without)."""
    _holds(case, clerk)
    text = _text(question, "question", "Die Frage")
    if due <= german_date(now):
        raise Refused.invalid("due_past", "Die Frist muss in der Zukunft liegen.", "due")
    return [
        InformationRequested(
            case_id=case.case_id,
            request_id=request_id,
            question=text,
            due=due,
            by=clerk,
            requested_at=now,
        )
    ]


def request_hearing(
    case: Case,
    clerk: Clerk,
    *,
    hearing_id: UUID,
    body_id: str,
    body: HeardBody,
    subject: str,
    due: date,
    now: datetime,
    answer_url: str | None,
) -> list[DomainEvent]:
    """Hear a body; one hearing per body and case while it runs."""
    _holds(case, clerk)
    if any(h.body == body_id and h.pending for h in case.hearings):
        raise Refused("hearing_running", f"{body.name} wird bereits angehört.")
    if due <= german_date(now):
        raise Refused.invalid("due_past", "Die Frist muss in der Zukunft liegen.", "due")
    return [
        HearingRequested(
            case_id=case.case_id,
            hearing_id=hearing_id,
            body=body_id,
            body_name=body.name,
            body_email=body.email,
            subject=_text(subject, "subject", "Der Gegenstand der Anhörung"),
            due=due,
            by=clerk,
            requested_at=now,
            answer_url=answer_url,
        )
    ]


def answer_hearing(
    case: Case,
    hearing_id: UUID,
    *,
    verdict: str,
    statement: str,
    conditions: list[str],
    recorded_by: str,
    now: datetime,
) -> list[DomainEvent]:
    """Record a body's answer — through its link, or by the clerk; once."""
    hearing = next((h for h in case.hearings if h.hearing_id == hearing_id), None)
    if hearing is None:
        raise Refused("unknown_hearing", "Diese Anhörung gibt es nicht.")
    if hearing.verdict is not None:
        raise Refused(
            "hearing_answered", f"Die Stellungnahme von {hearing.body_name} liegt bereits vor."
        )
    _open(case)
    return [
        HearingAnswered(
            case_id=case.case_id,
            hearing_id=hearing_id,
            verdict=verdict,
            statement=_text(statement, "statement", "Die Stellungnahme", required=False),
            conditions=_texts(conditions, "conditions", "Auflagen"),
            recorded_by=recorded_by,
            answered_at=now,
        )
    ]


def overrule(case: Case, clerk: Clerk, rule: str, reason: str, now: datetime) -> list[DomainEvent]:
    """Set a failed automated rule aside, with a reason that the file keeps."""
    _holds(case, clerk)
    if rule not in {o.rule for o in case.failed_rules}:
        raise Refused.invalid(
            "rule_not_failed", "Diese Regel ist erfüllt oder bereits überstimmt.", "rule"
        )
    why = _text(reason, "reason", "Die Begründung")
    return [
        AutomatedRuleOverruled(
            case_id=case.case_id, rule=rule, reason=why, by=clerk, overruled_at=now
        )
    ]


def decide(
    case: Case,
    clerk: Clerk,
    *,
    outcome: str,
    conditions: list[str],
    reasons: list[str],
    fee: FeeBasis | None,
    now: datetime,
) -> list[DomainEvent]:
    """Approve (with conditions) or reject (with reasons), in the competent town's name."""
    _holds(case, clerk)
    if outcome not in ("approved", "rejected"):
        raise Refused.invalid("outcome", "Entscheiden Sie: stattgeben oder ablehnen.", "outcome")
    written_reasons = _texts(reasons, "reasons", "Gründe")
    if outcome == "rejected" and not written_reasons:
        raise Refused.invalid("reasons_missing", "Eine Ablehnung muss begründet werden.", "reasons")
    failed = case.failed_rules
    if outcome == "approved" and failed:
        names = ", ".join(o.rule for o in failed)
        raise Refused(
            "rules_failed",
            f"Nicht erfüllt: {names}. Überstimmen Sie die Regel mit Begründung oder lehnen"
            " Sie den Antrag ab.",
        )
    pending = [h for h in case.hearings if h.pending]
    if pending:
        first = pending[0]
        raise Refused(
            "hearing_pending",
            f"Die Anhörung von {first.body_name} läuft noch bis {first.due:%d.%m.%Y}.",
        )
    basis = check_fee_basis(case.procedure, outcome, fee)
    return [
        CaseDecided(
            case_id=case.case_id,
            procedure=case.procedure,
            outcome=outcome,
            decided_by=actor(clerk),
            on_behalf_of=case.competent_town,
            rule_outcomes=list(case.rule_outcomes),
            conditions=_texts(conditions, "conditions", "Auflagen"),
            reasons=written_reasons,
            decided_at=now,
            clerk=clerk,
            fee=basis,
        ),
        CaseClosed(case_id=case.case_id, closed_at=now),
    ]


def confirm_prepared(
    case: Case, clerk: Clerk, now: datetime, fee: FeeBasis | None = None
) -> list[DomainEvent]:
    """Confirm the decision the automated check prepared (one action)."""
    _holds(case, clerk)
    if case.prepared is None:
        raise Refused("nothing_prepared", "Für diesen Vorgang ist keine Entscheidung vorbereitet.")
    return decide(case, clerk, outcome=case.prepared, conditions=[], reasons=[], fee=fee, now=now)


def report_status(
    case: Case, clerk: Clerk, status: str, note: str, now: datetime
) -> list[DomainEvent]:
    """Tell the reporter how a defect report stands (forwarded, fixed …), without deciding.

    Only defect reports have such a status: the other procedures end in a decision, and
    their steps are on the tracking page already."""
    _holds(case, clerk)
    if case.procedure != ProcedureId.MAENGELMELDER:
        raise Refused("not_a_report", "Einen Sachstand teilen nur Mängelmeldungen mit.")
    return [
        StatusReported(
            case_id=case.case_id,
            status=status,
            note=_text(note, "note", "Der Hinweis", required=False),
            by=clerk,
            reported_at=now,
        )
    ]


def local_time(moment: datetime) -> str:
    """``30.11.2026, 14:05 Uhr`` (for messages)."""
    return f"{moment.astimezone(GERMANY):%d.%m.%Y, %H:%M} Uhr"
