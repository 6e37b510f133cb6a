"""A case: opened from an application, decided automatically or referred to a clerk (pure).

``decide_opening`` is the automated decision: it opens the case and, if every rule passes,
approves and closes it in the same commit; otherwise it refers the case to the queue of the
competent town with the rules that failed. The decision is issued in the name of the
competent town, whoever processes it ("im Auftrag").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from contracts.base import DomainEvent
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    RuleOutcome,
)
from contracts.procedures import ProcedureId
from contracts.procedures.gewerbeanmeldung import GewerbeanmeldungForm
from services.casework.domain import gewerbeanmeldung_rules as gewerbe


@dataclass(frozen=True)
class OpenCase:
    """The command: open a case for a submitted application."""

    application_id: UUID
    procedure: str
    competent_town: str
    processing_towns: list[str]
    form: dict[str, Any] | None
    facts: gewerbe.Facts
    now: datetime


def queue_name(town: str, procedure: str) -> str:
    """The clerk queue of a town's procedure."""
    return f"{town}:{procedure}"


def evaluate_rules(command: OpenCase) -> list[RuleOutcome]:
    """The rule outcomes for the application; unreadable data fails a rule of its own."""
    if command.form is None:
        return [
            RuleOutcome(
                rule="application_data_must_be_readable",
                passed=False,
                reason="Die Antragsdaten sind nicht lesbar (gelöscht).",
            )
        ]
    if command.procedure != ProcedureId.GEWERBEANMELDUNG:
        return [
            RuleOutcome(
                rule="procedure_must_be_automated",
                passed=False,
                reason="Für dieses Verfahren gibt es keine automatische Entscheidung.",
            )
        ]
    try:
        form = GewerbeanmeldungForm.read(command.form)
    except ValidationError:
        return [
            RuleOutcome(
                rule="application_data_must_be_valid",
                passed=False,
                reason="Die Antragsdaten entsprechen nicht dem Formular.",
            )
        ]
    return gewerbe.evaluate(form, command.facts)


def decide_opening(history: list[DomainEvent], command: OpenCase) -> list[DomainEvent]:
    """Open the case and decide it automatically where every rule allows."""
    if history:
        return []
    opened = CaseOpened(
        case_id=command.application_id,
        application_id=command.application_id,
        procedure=command.procedure,
        competent_town=command.competent_town,
        processing_towns=command.processing_towns,
        opened_at=command.now,
    )
    outcomes = evaluate_rules(command)
    if all(outcome.passed for outcome in outcomes):
        return [
            opened,
            CaseDecided(
                case_id=command.application_id,
                procedure=command.procedure,
                outcome="approved",
                decided_by="automation",
                on_behalf_of=command.competent_town,
                rule_outcomes=outcomes,
                decided_at=command.now,
            ),
            CaseClosed(case_id=command.application_id, closed_at=command.now),
        ]
    return [
        opened,
        CaseReferredToClerk(
            case_id=command.application_id,
            queue=queue_name(command.competent_town, command.procedure),
            rule_outcomes=outcomes,
        ),
    ]
