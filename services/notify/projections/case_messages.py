"""Messages about a case, one template each: to the applicant, to a heard body, to the clerk.

A case referred to a clerk queue (``CaseReferredToClerk``) is announced to the desk of each
town whose clerks may take it (``new_case``); a deadline near or passed (``DeadlineNear``) to
the clerk holding the case, or else to the competent town's desk.

The applicant's letters come with their PDF attached: casework's decision letter
(``DecisionDocumentIssued``) and billing's fee notice (``FeeNoticeIssued``), each on the
competent town's letterhead, once per event (the message id is derived from it) — and the
keeper's dog-tax notice (``DogTaxNoticeIssued``, ``tax_messages``); billing's
reminder (``ReminderIssued``: Zahlungserinnerung with the open amount, the reminder's fee, the
new due date and the account) goes out as mail alone. A fee notice with an XRechnung carries
it as a second attachment, and sends it alone to the address the business named for it, if
that is another.

Part of the outbox reaction (``outbox.projection``). The applicant is known from intake's log
(``contacts``: the application's contact, the objection's the same), the case's competent
town, procedure and number from casework's (``cases``), who holds a case from its claims
(``clerks``) and each town's desk address from its casework configuration (``desks``).

intake's and casework's logs are read by runners of their own, so casework's message for an
applicant may come before the application: it then waits, sealed as it was stored
(``waiting``), until the application (or objection) arrives and replays it. An applicant
without an address (an anonymous defect report, or erased) gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from contracts.base import DomainEvent
from contracts.events.billing import DogTaxNoticeIssued, FeeNoticeIssued, ReminderIssued
from contracts.events.casework import (
    CaseClaimed,
    CaseClosed,
    CaseMoved,
    CaseOpened,
    CaseReassigned,
    CaseReferredToClerk,
    CaseReleased,
    DeadlineNear,
    DecisionDocumentIssued,
    HearingRequested,
    InformationRequested,
    StatusReported,
    TownCaseworkConfigured,
)
from contracts.events.intake import ApplicationSubmitted, ObjectionLodged
from contracts.procedures import ProcedureId
from runtime.codec import Envelope
from runtime.ids import derived_id
from runtime.service import Runtime
from services.notify.domain import templates
from services.notify.domain.templates import Letterhead, Message, Payment, Reminder
from services.notify.projections import tax_messages
from services.notify.projections.queueing import Outgoing, letterhead, queue

CASE_TABLES = """
ALTER TABLE outbox ADD COLUMN letterhead_town text;
ALTER TABLE outbox ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
CREATE TABLE contacts (
    case_id      uuid PRIMARY KEY,
    data_key     text NOT NULL,
    procedure    text NOT NULL,
    case_number  text,
    name         text,
    email        text,
    tracking_url text
);
CREATE TABLE cases (
    case_id        uuid PRIMARY KEY,
    competent_town text NOT NULL,
    procedure      text NOT NULL,
    case_number    text,
    objection_to   uuid
);
CREATE TABLE clerks (case_id uuid PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE desks (ags text PRIMARY KEY, email text);
CREATE TABLE waiting (
    event_id uuid PRIMARY KEY,
    case_id  uuid NOT NULL,
    data_key text,
    commit   bytea NOT NULL
);
CREATE INDEX waiting_case ON waiting (case_id);
"""
"""Attachments and the sending town on the outbox; what case messages need to know."""

PROCESSING_TOWNS = """
ALTER TABLE cases ADD COLUMN processing_towns text[];
ALTER TABLE cases ADD COLUMN deadline date;
"""
"""Which towns' desks hear of a case in their queue (cases opened before: the competent)."""

EVENT_TYPES = frozenset(
    {
        e.type_name
        for e in (
            CaseOpened,
            CaseReferredToClerk,
            CaseMoved,
            CaseClaimed,
            CaseReassigned,
            CaseReleased,
            TownCaseworkConfigured,
            DecisionDocumentIssued,
            InformationRequested,
            HearingRequested,
            StatusReported,
            DeadlineNear,
            CaseClosed,
            ObjectionLodged,
            FeeNoticeIssued,
            ReminderIssued,
            DogTaxNoticeIssued,
        )
    }
)
"""The events this module handles (besides intake's application, which ``outbox`` handles)."""


@dataclass(frozen=True)
class Applicant:
    """Whom to write to about a case, on which town's letterhead."""

    name: str
    email: str
    data_key: str
    procedure: str
    case_number: str
    tracking_url: str | None
    town: str
    objection: bool


async def remember_contact(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: ApplicationSubmitted
) -> None:
    """The applicant of a case (a row even without an address: then nobody is written to)."""
    contact = event.contact
    await conn.execute(
        "INSERT INTO contacts VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        event.application_id,
        envelope.meta.data_key or str(event.application_id),
        event.procedure,
        event.case_number,
        contact.name if contact else None,
        contact.email if contact else None,
        event.tracking_url,
    )


async def handle(
    runtime: Runtime, conn: asyncpg.Connection, envelope: Envelope[DomainEvent]
) -> None:
    """Remember what messages need; queue the message an event calls for."""
    event = envelope.event
    if isinstance(event, CaseOpened):
        await conn.execute(
            "INSERT INTO cases VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            event.case_id,
            event.competent_town,
            event.procedure,
            event.case_number,
            event.objection_to,
            event.processing_towns,
            event.deadline,
        )
    elif isinstance(event, CaseMoved):
        await conn.execute(
            "UPDATE cases SET processing_towns = $2 WHERE case_id = $1",
            event.case_id,
            event.processing_towns,
        )
    elif isinstance(event, CaseReferredToClerk):
        await _new_case(conn, envelope, event)
    elif isinstance(event, CaseClaimed | CaseReassigned):
        clerk = event.clerk if isinstance(event, CaseClaimed) else event.to
        await conn.execute(
            "INSERT INTO clerks VALUES ($1, $2, $3)"
            " ON CONFLICT (case_id) DO UPDATE SET name = $2, email = $3",
            event.case_id,
            clerk.name,
            clerk.email,
        )
    elif isinstance(event, CaseReleased):
        await conn.execute("DELETE FROM clerks WHERE case_id = $1", event.case_id)
    elif isinstance(event, TownCaseworkConfigured):
        await conn.execute(
            "INSERT INTO desks VALUES ($1, $2) ON CONFLICT (ags) DO UPDATE SET email = $2",
            event.ags,
            event.desk_email,
        )
    elif isinstance(event, ObjectionLodged):
        await _objection_lodged(runtime, conn, envelope, event)
    elif isinstance(event, HearingRequested):
        await _hearing(conn, envelope, event)
    elif isinstance(event, DeadlineNear):
        await _deadline(conn, envelope, event)
    elif isinstance(event, DogTaxNoticeIssued):
        await tax_messages.notice_issued(conn, envelope, event)
    else:
        await _to_applicant(conn, envelope)


async def replay_waiting(runtime: Runtime, conn: asyncpg.Connection, case_id: Any) -> None:
    """The case's applicant is known now: the messages that waited for them go out."""
    rows = await conn.fetch(
        "DELETE FROM waiting WHERE case_id = $1 RETURNING event_id, commit", case_id
    )
    for row in rows:
        for envelope in await runtime.store.codec.decode(row["commit"]):
            if envelope.meta.event_id == row["event_id"]:
                await handle(runtime, conn, envelope)


async def _applicant(conn: asyncpg.Connection, case_id: Any, tenant: str) -> Applicant | None:
    row = await conn.fetchrow(
        "SELECT p.*, c.competent_town, c.objection_to, c.case_number AS opened_number"
        " FROM contacts p LEFT JOIN cases c USING (case_id) WHERE p.case_id = $1",
        case_id,
    )
    if row is None or row["email"] is None:
        return None
    return Applicant(
        name=row["name"],
        email=row["email"],
        data_key=row["data_key"],
        procedure=row["procedure"],
        case_number=row["case_number"] or row["opened_number"] or str(case_id),
        tracking_url=row["tracking_url"],
        town=row["competent_town"] or tenant,
        objection=row["objection_to"] is not None,
    )


def _applicant_message(event: DomainEvent, who: Applicant, town: Letterhead) -> Message | None:
    """The message to the applicant an event calls for (``None``: none)."""
    common: dict[str, Any] = {
        "name": who.name,
        "procedure": who.procedure,
        "case_number": who.case_number,
    }
    if isinstance(event, DecisionDocumentIssued):
        notice = who.procedure == ProcedureId.MAENGELMELDER and not who.objection
        title = "Widerspruchsbescheid" if who.objection else "Bescheid"
        return templates.decision(
            town,
            **common,
            document_title="Abschlussmitteilung" if notice else title,
            filename=event.document.filename,
            tracking_url=who.tracking_url,
            made_known=not notice,
        )
    if isinstance(event, FeeNoticeIssued):
        return templates.fee_notice(
            town,
            **common,
            filename=event.document.filename,
            payment=_payment(event),
            replaces=event.replaces_notice_of,
            xrechnung=event.xrechnung.filename if event.xrechnung else None,
        )
    if isinstance(event, ReminderIssued):
        return templates.reminder(town, **common, reminder=_reminder(event))
    if isinstance(event, InformationRequested) and event.question:
        return templates.information_request(
            town, **common, question=event.question, due=event.due, tracking_url=who.tracking_url
        )
    if isinstance(event, StatusReported):
        return templates.status_report(
            town, **common, status=event.status, note=event.note, tracking_url=who.tracking_url
        )
    if isinstance(event, CaseClosed) and event.reason == "withdrawn":
        return templates.withdrawal(town, **common, withdrawn_at=event.closed_at)
    return None


def _payment(event: FeeNoticeIssued) -> Payment:
    return Payment(
        amount=event.amount,
        due_date=event.due_date,
        cash_reference=event.cash_reference,
        payee=event.payee,
        iban=event.iban,
        bic=event.bic,
    )


def _reminder(event: ReminderIssued) -> Reminder:
    return Reminder(
        open_amount=event.open_amount,
        reminder_fee=event.reminder_fee,
        amount_due=event.amount_due,
        original_due_date=event.original_due_date,
        due_date=event.due_date,
        cash_reference=event.cash_reference,
        payee=event.payee,
        iban=event.iban,
        bic=event.bic,
    )


TEMPLATES = {
    DecisionDocumentIssued: "decision",
    InformationRequested: "information_request",
    StatusReported: "status_report",
    CaseClosed: "withdrawal",
    FeeNoticeIssued: "fee_notice",
    ReminderIssued: "reminder",
}
"""The template name each message to the applicant records (``MessageDelivered.template``)."""


async def _to_applicant(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    event, meta = envelope.event, envelope.meta
    case_id = getattr(event, "case_id", None)
    template = TEMPLATES.get(type(event))
    if case_id is None or template is None:
        return
    if isinstance(event, CaseClosed) and event.reason != "withdrawn":
        return
    known = await conn.fetchval("SELECT true FROM contacts WHERE case_id = $1", case_id)
    if not known:
        await conn.execute(
            "INSERT INTO waiting VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            meta.event_id,
            case_id,
            meta.data_key,
            envelope.commit,
        )
        return
    who = await _applicant(conn, case_id, meta.tenant)
    if who is None:
        return
    town = await letterhead(conn, who.town, who.procedure)
    message = _applicant_message(event, who, town)
    if message is None:
        return
    attachments = (
        [event.document.model_dump(mode="json")]
        if isinstance(event, DecisionDocumentIssued | FeeNoticeIssued)
        else []
    )
    if isinstance(event, FeeNoticeIssued) and event.xrechnung is not None:
        attachments.append(event.xrechnung.model_dump(mode="json"))
        await _xrechnung_elsewhere(conn, envelope, event, who)
    await queue(
        conn,
        Outgoing(
            message_id=derived_id(meta.event_id, template),
            tenant=meta.tenant,
            case_id=case_id,
            data_key=who.data_key,
            correlation_id=meta.correlation_id,
            template=template,
            recipient=who.email,
            message=message,
            letterhead_town=who.town,
            attachments=attachments,
        ),
    )


async def _xrechnung_elsewhere(
    conn: asyncpg.Connection,
    envelope: Envelope[DomainEvent],
    event: FeeNoticeIssued,
    who: Applicant,
) -> None:
    """The XRechnung alone to the address the business named, if not the applicant's own
    (who gets it with the notice)."""
    recipient = event.xrechnung_email
    if event.xrechnung is None or not recipient or recipient.lower() == who.email.lower():
        return
    message = templates.fee_invoice(
        await letterhead(conn, who.town, who.procedure),
        procedure=who.procedure,
        case_number=who.case_number,
        filename=event.xrechnung.filename,
        payment=_payment(event),
    )
    await queue(
        conn,
        Outgoing(
            message_id=derived_id(envelope.meta.event_id, "fee_invoice"),
            tenant=envelope.meta.tenant,
            case_id=event.case_id,
            data_key=who.data_key,
            correlation_id=envelope.meta.correlation_id,
            template="fee_invoice",
            recipient=recipient,
            message=message,
            letterhead_town=who.town,
            attachments=[event.xrechnung.model_dump(mode="json")],
        ),
    )


async def _case(conn: asyncpg.Connection, case_id: Any, tenant: str) -> tuple[str, str, str]:
    """The case's competent town, procedure and number (as casework opened it)."""
    row = await conn.fetchrow("SELECT * FROM cases WHERE case_id = $1", case_id)
    if row is None:
        raise LookupError(f"case {case_id} was never opened")
    return row["competent_town"] or tenant, row["procedure"], row["case_number"] or str(case_id)


async def _hearing(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: HearingRequested
) -> None:
    """The heard body's invitation, with its secret answer link."""
    town, procedure, number = await _case(conn, event.case_id, envelope.meta.tenant)
    message = templates.hearing_invitation(
        await letterhead(conn, town, procedure),
        body_name=event.body_name,
        procedure=procedure,
        case_number=number,
        subject=event.subject,
        due=event.due,
        answer_url=event.answer_url,
    )
    await queue(
        conn,
        Outgoing(
            message_id=derived_id(envelope.meta.event_id, "hearing_invitation"),
            tenant=envelope.meta.tenant,
            case_id=event.case_id,
            data_key=envelope.meta.data_key,
            correlation_id=envelope.meta.correlation_id,
            template="hearing_invitation",
            recipient=event.body_email,
            message=message,
            letterhead_town=town,
        ),
    )


async def _deadline(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: DeadlineNear
) -> None:
    """To the clerk holding the case, or else to the competent town's desk."""
    town, procedure, number = await _case(conn, event.case_id, envelope.meta.tenant)
    clerk = await conn.fetchrow("SELECT name, email FROM clerks WHERE case_id = $1", event.case_id)
    desk = await conn.fetchval("SELECT email FROM desks WHERE ags = $1", town)
    recipient = (clerk["email"] if clerk else None) or desk
    if recipient is None:
        return  # nobody to remind: the queue shows the deadline all the same
    message = templates.deadline_near(
        await letterhead(conn, town, procedure),
        clerk_name=clerk["name"] if clerk and clerk["email"] else None,
        procedure=procedure,
        case_number=number,
        deadline=event.deadline,
        passed=event.passed,
    )
    await queue(
        conn,
        Outgoing(
            message_id=derived_id(envelope.meta.event_id, "deadline_near"),
            tenant=envelope.meta.tenant,
            case_id=event.case_id,
            data_key=None,
            correlation_id=envelope.meta.correlation_id,
            template="deadline_near",
            recipient=recipient,
            message=message,
            letterhead_town=town,
        ),
    )


async def _new_case(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: CaseReferredToClerk
) -> None:
    """To the desk of every town whose clerks may take the case (one mail per address)."""
    case = await conn.fetchrow("SELECT * FROM cases WHERE case_id = $1", event.case_id)
    if case is None:
        raise LookupError(f"case {event.case_id} was never opened")
    competent = case["competent_town"] or envelope.meta.tenant
    towns = case["processing_towns"] or [competent]
    desks = await conn.fetch(
        "SELECT ags, email FROM desks WHERE ags = ANY($1::text[]) AND email IS NOT NULL", towns
    )
    town = await letterhead(conn, competent, case["procedure"])
    written: set[str] = set()
    for desk in sorted(desks, key=lambda d: (d["ags"] != competent, d["ags"])):
        if desk["email"].lower() in written:
            continue
        written.add(desk["email"].lower())
        message = templates.new_case(
            town,
            procedure=case["procedure"],
            case_number=case["case_number"] or str(event.case_id),
            competent_town=None if desk["ags"] == competent else town.official_name,
            deadline=case["deadline"],
            prepared=event.prepared,
            open_checks=sum(not outcome.passed for outcome in event.rule_outcomes),
        )
        await queue(
            conn,
            Outgoing(
                message_id=derived_id(envelope.meta.event_id, f"new_case:{desk['ags']}"),
                tenant=envelope.meta.tenant,
                case_id=event.case_id,
                data_key=None,
                correlation_id=envelope.meta.correlation_id,
                template="new_case",
                recipient=desk["email"],
                message=message,
                letterhead_town=competent,
            ),
        )


async def _objection_lodged(
    runtime: Runtime,
    conn: asyncpg.Connection,
    envelope: Envelope[DomainEvent],
    event: ObjectionLodged,
) -> None:
    """The objection's case reaches the first application's contact; its receipt goes out."""
    await conn.execute(
        "INSERT INTO contacts (case_id, data_key, procedure, case_number, name, email,"
        " tracking_url) SELECT $1, data_key, procedure, $3, name, email, tracking_url"
        " FROM contacts WHERE case_id = $2 ON CONFLICT DO NOTHING",
        event.objection_id,
        event.application_id,
        event.case_number,
    )
    first = await _applicant(conn, event.application_id, envelope.meta.tenant)
    if first is not None:
        message = templates.objection_received(
            await letterhead(conn, first.town, first.procedure),
            name=first.name,
            procedure=first.procedure,
            objected_case_number=first.case_number,
            case_number=event.case_number or str(event.objection_id),
            lodged_at=event.lodged_at,
            tracking_url=first.tracking_url,
        )
        await queue(
            conn,
            Outgoing(
                message_id=derived_id(envelope.meta.event_id, "objection_received"),
                tenant=envelope.meta.tenant,
                case_id=event.objection_id,
                data_key=first.data_key,
                correlation_id=envelope.meta.correlation_id,
                template="objection_received",
                recipient=first.email,
                message=message,
                letterhead_town=first.town,
            ),
        )
    await replay_waiting(runtime, conn, event.objection_id)
