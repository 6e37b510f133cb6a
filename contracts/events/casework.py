"""Events of casework: cases, their automated and manual decisions, delegation agreements."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import REGISTRY, DomainEvent
from contracts.envelope import Ags


class RuleOutcome(BaseModel):
    """One named business rule applied to a case, and what it found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str = Field(description="The rule's name, e.g. applicant_must_be_of_age")
    passed: bool
    reason: str = Field(description="German explanation a clerk or citizen can read")


class DelegationAgreed(DomainEvent):
    """A town lets other member towns process its cases of one procedure ("im Auftrag")."""

    type_name: ClassVar[str] = "casework.DelegationAgreed"
    aggregate_type: ClassVar[str] = "delegation"

    delegating_town: Ags
    procedure: str
    processing_towns: list[Ags]


class CaseOpened(DomainEvent):
    """An application became a case of the competent town."""

    type_name: ClassVar[str] = "casework.CaseOpened"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    application_id: UUID
    procedure: str
    competent_town: Ags
    processing_towns: list[Ags] = Field(description="Towns whose clerks may work on it")
    opened_at: datetime


class CaseReferredToClerk(DomainEvent):
    """Automation could not decide; the case waits in a clerk queue, with the reasons why."""

    type_name: ClassVar[str] = "casework.CaseReferredToClerk"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    queue: str
    rule_outcomes: list[RuleOutcome]


class CaseDecided(DomainEvent):
    """A decision (Bescheid) was taken on a case.

    Version 2 records every rule outcome; version 1 carried one free-text ``reason`` only.
    """

    type_name: ClassVar[str] = "casework.CaseDecided"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    procedure: str
    outcome: Literal["approved", "rejected"]
    decided_by: str = Field(description="'automation' or clerk:<id>@<AGS>")
    on_behalf_of: Ags = Field(description="The competent town the decision is issued for")
    rule_outcomes: list[RuleOutcome]
    conditions: list[str] = Field(default_factory=list, description="Auflagen, German")
    decided_at: datetime


@REGISTRY.upcaster("casework.CaseDecided", from_version=1)
def _case_decided_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 had one ``reason`` text and no rule list: keep the text as the one recorded reason."""
    upgraded = {key: value for key, value in data.items() if key != "reason"}
    upgraded["rule_outcomes"] = [
        {
            "rule": "recorded_reason",
            "passed": data["outcome"] == "approved",
            "reason": data.get("reason", ""),
        }
    ]
    return upgraded


class CaseClosed(DomainEvent):
    """Nothing more will be done on the case; it can be filed."""

    type_name: ClassVar[str] = "casework.CaseClosed"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    closed_at: datetime
