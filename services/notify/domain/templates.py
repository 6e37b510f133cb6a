"""The messages, in German, on each town's letterhead (pure): one function per kind.

Each function takes what its kind says and renders ``templates/<kind>.txt.j2``
(``rendering``): the wording lives in the template files, the functions name the values and
prepare what needs code (the procedure's title). A ``Message`` carries the subject, the plain
text (``body``) and the HTML part of the same wording on the town's letterhead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from contracts.procedures import procedure_title
from services.notify.domain import rendering


@dataclass(frozen=True)
class Message:
    """A rendered message: its subject, its plain text and its HTML part."""

    subject: str
    body: str
    """The plain-text part (``text/plain``)."""
    html: str = ""
    """The HTML part (``text/html``): the same wording on the town's letterhead."""


@dataclass(frozen=True)
class Payment:
    """What a fee notice's mail says about paying: how much, by when, with which reference."""

    amount: Decimal
    due_date: date
    cash_reference: str
    payee: str
    iban: str
    bic: str


AUTHORITY = {"Stadt": "Stadtverwaltung", "Gemeinde": "Gemeindeverwaltung"}


@dataclass(frozen=True)
class Letterhead:
    """What a town signs its messages with."""

    official_name: str
    authority: str
    """How the text names the town hall: "Stadtverwaltung Wurzen", "Gemeindeverwaltung …"."""
    office: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    website: str
    ags: str = ""
    """The town's key: its own templates and coat of arms, if it has them (``rendering``)."""

    @classmethod
    def from_profile(cls, profile: dict[str, Any], office: str) -> Letterhead:
        """From a ``TownProfilePublished`` payload."""
        address = profile["address"]
        return cls(
            official_name=profile["official_name"],
            authority=f"{AUTHORITY.get(profile.get('kind', ''), 'Verwaltung')} {profile['name']}",
            office=office,
            street=address["street"],
            postcode=address["postcode"],
            city=address["city"],
            phone=profile["phone"],
            email=profile["email"],
            website=profile["website"],
            ags=profile.get("ags", ""),
        )

    def signature(self) -> str:
        """The closing block of every message (``signature.txt.j2``)."""
        return rendering.current().signature(self)


def render(kind: str, town: Letterhead, /, **context: Any) -> Message:
    """The kind's message on the town's letterhead."""
    parts = rendering.current().render(kind, town, **context)
    return Message(subject=parts.subject, body=parts.text, html=parts.html)


def acknowledgement(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    application_id: str,
    submitted_at: datetime,
    tracking_url: str | None,
    case_number: str | None = None,
) -> Message:
    """Eingangsbestätigung: the application has arrived.

    It promises nothing that does not come: the tracking link shows every further step.
    """
    return render(
        "acknowledgement",
        town,
        name=name,
        title=procedure_title(procedure),
        application_id=application_id,
        submitted_at=submitted_at,
        tracking_url=tracking_url,
        case_number=case_number,
    )


def decision(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    document_title: str,
    filename: str,
    tracking_url: str | None = None,
    made_known: bool = True,
) -> Message:
    """Bescheid: the decision letter is attached (a PDF); when it counts as made known.

    The mail is the dispatch: its delivery starts the three days to the Bekanntgabe
    (§ 41 (2) VwVfG), after which the letter's periods run — so the mail says so.
    """
    return render(
        "decision",
        town,
        name=name,
        title=procedure_title(procedure),
        case_number=case_number,
        document_title=document_title,
        filename=filename,
        tracking_url=tracking_url,
        made_known=made_known,
    )


def information_request(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    question: str,
    due: date,
    tracking_url: str | None,
) -> Message:
    """Rückfrage: the clerk's question, by when, and where to answer (the tracking page)."""
    return render(
        "information_request",
        town,
        name=name,
        title=procedure_title(procedure),
        case_number=case_number,
        question=question,
        due=due,
        tracking_url=tracking_url,
    )


def hearing_invitation(
    town: Letterhead,
    *,
    body_name: str,
    procedure: str,
    case_number: str,
    subject: str,
    due: date,
    answer_url: str | None,
) -> Message:
    """Anhörung: a body (police, road authority …) is asked for its statement by a date."""
    return render(
        "hearing_invitation",
        town,
        body_name=body_name,
        title=procedure_title(procedure),
        case_number=case_number,
        subject=subject,
        due=due,
        answer_url=answer_url,
    )


def status_report(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    status: str,
    note: str,
    tracking_url: str | None,
) -> Message:
    """Sachstand: how things stand (a defect report: „Behoben“), with the clerk's note."""
    return render(
        "status_report",
        town,
        name=name,
        title=procedure_title(procedure),
        case_number=case_number,
        status=status,
        note=note,
        tracking_url=tracking_url,
    )


def deadline_near(
    town: Letterhead,
    *,
    clerk_name: str | None,
    procedure: str,
    case_number: str,
    deadline: date,
    passed: bool,
) -> Message:
    """Fristerinnerung for the clerk holding the case (or the town's desk): no applicant data."""
    return render(
        "deadline_near",
        town,
        clerk_name=clerk_name,
        title=procedure_title(procedure),
        case_number=case_number,
        deadline=deadline,
        passed=passed,
    )


def new_case(
    town: Letterhead,
    *,
    procedure: str,
    case_number: str,
    competent_town: str | None,
    deadline: date | None,
    prepared: str | None,
    open_checks: int,
) -> Message:
    """Neuer Vorgang: a case waits in the queue of a town's desk. ``competent_town`` is named
    when the desk works it for another town. No applicant data: the desk's address is shared
    and the mail outlives an erasure."""
    return render(
        "new_case",
        town,
        title=procedure_title(procedure),
        case_number=case_number,
        competent_town=competent_town,
        deadline=deadline,
        prepared=prepared,
        open_checks=open_checks,
    )


def withdrawal(
    town: Letterhead, *, name: str, procedure: str, case_number: str, withdrawn_at: datetime
) -> Message:
    """Rücknahme: the applicant's withdrawal is confirmed; no decision will follow."""
    return render(
        "withdrawal",
        town,
        name=name,
        title=procedure_title(procedure),
        case_number=case_number,
        withdrawn_at=withdrawn_at,
    )


def objection_received(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    objected_case_number: str,
    case_number: str,
    lodged_at: datetime,
    tracking_url: str | None,
) -> Message:
    """Eingang des Widerspruchs: it is a new case of its own, linked to the first."""
    return render(
        "objection_received",
        town,
        name=name,
        title=procedure_title(procedure),
        objected_case_number=objected_case_number,
        case_number=case_number,
        lodged_at=lodged_at,
        tracking_url=tracking_url,
    )


def fee_notice(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    filename: str,
    payment: Payment,
    replaces: date | None = None,
    xrechnung: str | None = None,
) -> Message:
    """Gebührenbescheid: the notice is attached (a PDF); what to pay, by when, to whom.

    An amended notice (``replaces``: the day of the notice it replaces) says so. A business
    that asked for an XRechnung finds it attached too (``xrechnung``: its file name), with the
    word that the notice, not the invoice, is what counts.

    The body repeats what a transfer needs — amount, due date, Kassenzeichen, account — and
    points to the GiroCode on the notice; it carries no application id (``Antragskennung``),
    which is the acknowledgement's alone.
    """
    return render(
        "fee_notice",
        town,
        name=name,
        title=procedure_title(procedure),
        case_number=case_number,
        filename=filename,
        payment=payment,
        replaces=replaces,
        xrechnung=xrechnung,
    )


def fee_invoice(
    town: Letterhead,
    *,
    procedure: str,
    case_number: str,
    filename: str,
    payment: Payment,
) -> Message:
    """The XRechnung alone, to the address a business named for its e-invoices.

    Such an address is often an accounts-payable inbox that a program reads, so the mail
    carries the invoice and what identifies it, and nothing of the application.
    """
    return render(
        "fee_invoice",
        town,
        title=procedure_title(procedure),
        case_number=case_number,
        filename=filename,
        payment=payment,
    )


@dataclass(frozen=True)
class Reminder:
    """What a reminder's mail says: what is open, the reminder's fee, by when, to whom."""

    open_amount: Decimal
    reminder_fee: Decimal
    amount_due: Decimal
    original_due_date: date
    due_date: date
    cash_reference: str
    payee: str | None
    iban: str | None
    bic: str | None


def reminder(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    case_number: str,
    reminder: Reminder,
) -> Message:
    """Zahlungserinnerung (Mahnung): the fee is overdue; what to pay now, by when, to whom.

    Names the reminder's fee the town's schedule sets, and that the claim goes to enforcement
    if it stays unpaid; the account lines only where the town's schedule names an account.
    """
    return render(
        "reminder",
        town,
        name=name,
        title=procedure_title(procedure),
        case_number=case_number,
        reminder=reminder,
    )
