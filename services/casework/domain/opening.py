"""Opening a case from an application, and the automated decision (pure).

The case is opened in the name of the competent town — for a defect report the town where
the defect lies — with its deadline. Then the procedure's rules run: if every rule passes and
the town's configuration allows a fully automated decision for the procedure (§35a VwVfG),
the case is approved and closed in the same commit; if the configuration says ``prepare``,
the check prepares the approval and a clerk confirms it with one action; otherwise the case
goes to the queue with the rules that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import ValidationError

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    RuleOutcome,
)
from contracts.procedures import ProcedureId
from services.casework.domain.deadlines import add_working_days
from services.casework.domain.rules import Facts, rule_set

GEWERBE_RECEIPT_DAYS = 3
"""The trade office confirms a notice within three days (§15 (1) GewO)."""
TRADE_NOTICES = frozenset(
    {ProcedureId.GEWERBEANMELDUNG, ProcedureId.GEWERBEUMMELDUNG, ProcedureId.GEWERBEABMELDUNG}
)
DEFAULT_PROCESSING_DAYS: dict[str, int] = {
    ProcedureId.VERKEHRSRECHTLICHE_ANORDNUNG: 10,
    ProcedureId.BEWOHNERPARKAUSWEIS: 10,
    ProcedureId.HUNDESTEUER_ANMELDUNG: 20,
    ProcedureId.HUNDESTEUER_ABMELDUNG: 20,
    ProcedureId.SONDERNUTZUNGSERLAUBNIS: 20,
    ProcedureId.MAENGELMELDER: 10,
}
"""Working days a procedure takes where the town's configuration names none."""
OBJECTION_DAYS = 60
"""Working days for an objection (the three months of §75 VwGO, roughly)."""

Automation = Literal["full", "prepare"]


@dataclass(frozen=True)
class OpenCase:
    """The command: open a case for a submitted application (or a lodged objection)."""

    application_id: UUID
    procedure: str
    form_version: int | None
    form: dict[str, Any] | None
    competent_town: str
    processing_towns: list[str]
    facts: Facts
    now: datetime
    automation: Automation | None = None
    processing_days: int | None = None
    case_number: str | None = None
    objection_to: UUID | None = None


def queue_name(town: str, procedure: str) -> str:
    """The clerk queue of a town's procedure."""
    return f"{town}:{procedure}"


def deadline_for(procedure: str, opened_on: date, processing_days: int | None) -> date:
    """When a case opened on ``opened_on`` must be decided (working days of Saxony)."""
    if procedure in TRADE_NOTICES:
        days = GEWERBE_RECEIPT_DAYS
    else:
        days = processing_days or DEFAULT_PROCESSING_DAYS.get(procedure, 20)
    return add_working_days(opened_on, days)


def evaluate_rules(command: OpenCase) -> list[RuleOutcome]:
    """The rule outcomes for the application; unreadable data fails a rule of its own."""
    if command.form is None or command.form_version is None:
        return [
            RuleOutcome(
                rule="application_data_must_be_readable",
                passed=False,
                reason="Die Antragsdaten sind nicht lesbar (gelöscht).",
            )
        ]
    try:
        return rule_set(command.procedure).evaluate(
            command.form_version, command.form, command.facts
        )
    except (ValidationError, KeyError):
        return [
            RuleOutcome(
                rule="application_data_must_be_valid",
                passed=False,
                reason="Die Antragsdaten entsprechen nicht dem Formular.",
            )
        ]


def decide_opening(history: list[DomainEvent], command: OpenCase) -> list[DomainEvent]:
    """Open the case and decide it automatically where the rules and the town allow."""
    if history:
        return []
    opened_on = german_date(command.now)
    objection = command.objection_to is not None
    opened = CaseOpened(
        case_id=command.application_id,
        application_id=command.application_id,
        procedure=command.procedure,
        competent_town=command.competent_town,
        processing_towns=command.processing_towns,
        opened_at=command.now,
        case_number=command.case_number,
        form_version=command.form_version,
        deadline=add_working_days(opened_on, OBJECTION_DAYS)
        if objection
        else deadline_for(command.procedure, opened_on, command.processing_days),
        urgent=bool(command.form and command.form.get("urgent") is True),
        objection_to=command.objection_to,
    )
    queue = queue_name(command.competent_town, command.procedure)
    if objection:
        return [
            opened,
            CaseReferredToClerk(case_id=command.application_id, queue=queue, rule_outcomes=[]),
        ]
    outcomes = evaluate_rules(command)
    automatable = rule_set(command.procedure).automatable and command.form is not None
    passed = automatable and all(outcome.passed for outcome in outcomes)
    if passed and command.automation == "full":
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
            queue=queue,
            rule_outcomes=outcomes,
            prepared="approved" if passed else None,
        ),
    ]
