"""From a decision and what casework knows of its case to the letter (pure).

The competent town (``CaseDecided.on_behalf_of``) heads the letter; the clerk signs "im
Auftrag" with their own town's name; the application's form gives the addressee and what
is granted; an objection's letter answers the objection and names the decision objected to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.calendar import german_date
from contracts.events.casework import CaseDecided, FeeBasis
from contracts.procedures import PROCEDURES, procedure_title
from services.casework.domain.fees import rate_class_row
from services.casework.letters.decision import (
    DecisionLetter,
    Letterhead,
    LetterKind,
    Objected,
    Signatory,
)
from services.casework.letters.particulars import (
    addressee,
    particulars_of,
    read_form,
    rows_of,
)

AUTHORITY = {"Stadt": "Stadtverwaltung", "Gemeinde": "Gemeindeverwaltung"}
DEFAULT_OFFICE = "Bürgerservice"


@dataclass(frozen=True)
class Application:
    """What the letter needs of the application (for an objection: the first application)."""

    procedure: str
    form_version: int | None
    form: dict[str, Any] | None
    contact_name: str | None
    submitted_at: datetime
    case_number: str | None = None


@dataclass(frozen=True)
class CaseFacts:
    """What the letter needs of the case itself."""

    case_id: UUID
    case_number: str | None = None
    file_reference: str | None = None
    objection_lodged_at: datetime | None = None
    """Set for an objection's case: when the objection was lodged."""
    objected_decided_on: date | None = None


def letterhead(profile: dict[str, Any], office: str) -> Letterhead:
    """A town's letterhead from its ``TownProfilePublished`` payload."""
    address = profile["address"]
    return Letterhead(
        official_name=profile["official_name"],
        authority=f"{AUTHORITY.get(profile.get('kind', ''), 'Verwaltung')} {profile['name']}",
        office=office,
        street=address["street"],
        postcode=address["postcode"],
        city=address["city"],
        phone=profile["phone"],
        email=profile["email"],
        website=profile["website"],
        district=profile.get("district", ""),
    )


def euro(amount: Decimal) -> str:
    """``Decimal('1234.5')`` → ``1.234,50 €``."""
    return f"{amount:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


def fee_rows(fee: FeeBasis | None) -> tuple[tuple[str, str], ...]:
    """The basis of the fee as the decision fixed it (billing assesses the fee itself)."""
    if fee is None:
        return ()
    rows = []
    if fee.amount is not None:
        rows.append(("Gebühr", euro(fee.amount)))
    if fee.area_m2 is not None:
        rows.append(("Fläche", f"{fee.area_m2} m²".replace(".", ",")))
    if fee.days is not None:
        rows.append(("Dauer", f"{fee.days} Tage"))
    if fee.rate_class:
        rows.append(rate_class_row(fee.rate_class))
    if fee.dogs_kept is not None:
        rows.append(("Gehaltene Hunde", str(fee.dogs_kept)))
    return tuple(rows)


def assemble(
    decided: CaseDecided,
    case: CaseFacts,
    application: Application,
    competent: dict[str, Any],
    office: str | None,
    clerk_town: dict[str, Any] | None,
) -> DecisionLetter:
    """The letter of ``decided``; ``competent`` and ``clerk_town`` are town profiles."""
    objection = case.objection_lodged_at is not None
    procedure = decided.procedure
    form = read_form(application.procedure, application.form_version, application.form)
    part = particulars_of(procedure)
    clerk = decided.clerk
    signatory = None
    if clerk is not None:
        signatory = Signatory(clerk.name, (clerk_town or {}).get("official_name", clerk.town))
    definition = PROCEDURES.get(procedure)
    return DecisionLetter(
        kind=LetterKind.WIDERSPRUCHSBESCHEID if objection else part.kind,
        letterhead=letterhead(competent, office or DEFAULT_OFFICE),
        addressee=addressee(form, application.contact_name),
        decided_at=decided.decided_at,
        case_number=case.case_number or application.case_number or str(case.case_id),
        procedure_title=procedure_title(procedure),
        legal_basis=definition.legal_basis if definition else "",
        outcome=decided.outcome,
        applied_on=german_date(case.objection_lodged_at or application.submitted_at),
        file_reference=case.file_reference,
        conditions=tuple(decided.conditions),
        reasons=tuple(decided.reasons),
        rules_applied=() if clerk else tuple(o.reason for o in decided.rule_outcomes),
        particulars_title=part.title,
        particulars=() if objection else rows_of(procedure, form),
        fee=fee_rows(decided.fee),
        signatory=signatory,
        objected=Objected(application.case_number or "", case.objected_decided_on)
        if objection
        else None,
    )
