"""From an assessed fee and what billing knows of its case to the fee notice (pure).

The competent town (``CaseDecided.on_behalf_of``) heads the notice with its member file's
account; the applicant's form gives the addressee — the first group of the form with a name
and a postal address (the trader, the keeper, the company), else the contact's name. The
notice lists the assessment's lines where each is a whole amount in cents that together make
the amount assessed; otherwise (a rate of four places, a share of a year) one line carries
the amount and the assessment's explanation stays in the log. The due date is the one the
assessment recorded (``FeeAssessed.due_date``: the payment term, 30 days by default, counted
from the day of the assessment — for a decided case the day of the decision), so the notice
and the claim reconciled against payments never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts.calendar import german_date
from contracts.events.billing import FeeAssessed
from contracts.fee_schedules import TownAccount
from contracts.procedures import PROCEDURES, procedure_title
from contracts.values import PostalAddress
from services.billing.notices.notice import (
    CENT,
    Addressee,
    BankAccount,
    FeeLine,
    FeeNotice,
    Letterhead,
    Signatory,
)

AUTHORITY = {"Stadt": "Stadtverwaltung", "Gemeinde": "Gemeindeverwaltung"}
DEFAULT_OFFICE = "Stadtkasse"
DEFAULT_LEGAL_BASIS = "Sächsisches Verwaltungskostengesetz i. V. m. der Verwaltungskostensatzung"


@dataclass(frozen=True)
class Applicant:
    """What billing keeps of an application: its form (personal data) and contact's name."""

    procedure: str
    form_version: int | None
    form: dict[str, Any] | None
    contact_name: str | None


@dataclass(frozen=True)
class Decision:
    """What the notice needs of the decision: its day, and the clerk who took it."""

    decided_at: datetime
    clerk_name: str | None = None
    clerk_town_name: str | None = None
    """The official name of the clerk's own town (None: automation, or not known)."""


def letterhead(profile: dict[str, Any], office: str | None, account: TownAccount) -> Letterhead:
    """The competent town's letterhead from its ``TownProfilePublished`` payload."""
    address = profile["address"]
    return Letterhead(
        official_name=profile["official_name"],
        authority=f"{AUTHORITY.get(profile.get('kind', ''), 'Verwaltung')} {profile['name']}",
        office=office or DEFAULT_OFFICE,
        street=address["street"],
        postcode=address["postcode"],
        city=address["city"],
        phone=profile["phone"],
        email=profile["email"],
        website=profile["website"],
        account=BankAccount(account.holder, account.iban, account.bic, account.bank),
    )


def addressee(applicant: Applicant) -> Addressee | None:
    """The first group of the form with a name and a postal address; else the contact."""
    form = _read_form(applicant)
    for name in type(form).model_fields if isinstance(form, BaseModel) else ():
        group = getattr(form, name)
        address = getattr(group, "address", None)
        person = _name_of(group)
        if person and isinstance(address, PostalAddress):
            lines = (address.street, f"{address.postcode} {address.city}")
            contact = getattr(group, "contact_person", None)
            return Addressee(person, (f"z. Hd. {contact}", *lines) if contact else lines)
    return Addressee(applicant.contact_name) if applicant.contact_name else None


def notice_lines(assessed: FeeAssessed) -> tuple[FeeLine, ...]:
    """The assessment's lines if they are whole cents adding up to the amount; else one."""
    lines = tuple(FeeLine(line.what, line.subtotal) for line in assessed.lines)
    whole = all(line.amount == line.amount.quantize(CENT) for line in lines)
    if lines and whole and sum((line.amount for line in lines), Decimal(0)) == assessed.amount:
        return lines
    return (FeeLine(f"Gebühr: {procedure_title(assessed.procedure)}", assessed.amount),)


def fee_notice(
    assessed: FeeAssessed,
    *,
    town: Letterhead,
    to: Addressee,
    case_number: str,
    decision: Decision,
    issued_at: datetime,
) -> FeeNotice:
    """The notice for an assessed fee (an amount above zero)."""
    signatory = (
        Signatory(decision.clerk_name, decision.clerk_town_name or town.official_name)
        if decision.clerk_name
        else None
    )
    return FeeNotice(
        letterhead=town,
        addressee=to,
        kassenzeichen=assessed.cash_reference,
        case_number=case_number,
        procedure_title=procedure_title(assessed.procedure),
        decided_on=german_date(decision.decided_at),
        issued_at=issued_at,
        legal_basis=assessed.legal_basis or DEFAULT_LEGAL_BASIS,
        lines=notice_lines(assessed),
        due_on=assessed.due_date,
        decided_by=signatory,
    )


def _read_form(applicant: Applicant) -> Any:
    definition = PROCEDURES.get(applicant.procedure)
    if definition is None or applicant.form_version is None or applicant.form is None:
        return None
    try:
        return definition.form(applicant.form_version).read(applicant.form)
    except (ValidationError, KeyError):
        return None


def _name_of(group: Any) -> str | None:
    if getattr(group, "given_names", None) and getattr(group, "family_name", None):
        return f"{group.given_names} {group.family_name}"
    name = getattr(group, "name", None)
    return name if isinstance(name, str) else None
