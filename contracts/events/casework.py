"""Events of casework: cases, their automated and manual decisions, delegation agreements.

Every change a clerk makes names the clerk (``Clerk``: who, and of which town) — the competent
town in whose name they act is the case's, so a decision of an Augustusburg clerk on a
Wurzen case is issued "im Auftrag" of Wurzen, and the file shows who did what.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import PERSONAL, REGISTRY, DomainEvent
from contracts.envelope import Ags


class RuleOutcome(BaseModel):
    """One named business rule applied to a case, and what it found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str = Field(description="The rule's name, e.g. applicant_must_be_of_age")
    passed: bool
    reason: str = Field(description="German explanation a clerk or citizen can read")


class Clerk(BaseModel):
    """Who acted: a clerk (or supervisor) of a member town, as the sign-in named them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="The subject of the clerk's sign-in (stable per person)")
    name: str = Field(description="As it appears under a decision: „Im Auftrag, <name>“")
    town: Ags = Field(description="The clerk's own town (which may not be the competent one)")
    email: str | None = Field(default=None, description="Work address, for deadline reminders")


class HeardBody(BaseModel):
    """An authority or company heard before a decision (police, public transport …)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="As letters name it: „Polizeirevier Grimma“")
    email: str


class DelegationAgreed(DomainEvent):
    """A town lets other member towns process its cases of one procedure ("im Auftrag").

    Applies to cases opened from ``valid_from`` (until ``valid_until``, if given); cases
    already open stay where they are unless moved explicitly (``CaseMoved``).
    """

    type_name: ClassVar[str] = "casework.DelegationAgreed"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "delegation"

    delegating_town: Ags
    procedure: str
    processing_towns: list[Ags]
    valid_from: date | None = None
    valid_until: date | None = None
    agreed_by: str | None = Field(default=None, description="Supervisor or operator")


class TownCaseworkConfigured(DomainEvent):
    """How a town has its cases handled: automation, processing times, hearings (a snapshot)."""

    type_name: ClassVar[str] = "casework.TownCaseworkConfigured"
    aggregate_type: ClassVar[str] = "town-config"

    ags: Ags
    automation: dict[str, Literal["full", "prepare"]] = Field(
        default_factory=dict,
        description="Per procedure: 'full' — decided without a clerk where a legal provision"
        " allows it (§35a VwVfG); 'prepare' — the check prepares, a clerk confirms",
    )
    processing_days: dict[str, int] = Field(
        default_factory=dict, description="Working days a procedure takes at most, per procedure"
    )
    deemed_approval: list[str] = Field(
        default_factory=list, description="Procedures approved when their time runs out (§42a)"
    )
    hearing_days: int = Field(default=10, ge=1, description="Working days a heard body has")
    bodies: dict[str, HeardBody] = Field(
        default_factory=dict, description="Bodies heard (police, road authority …), by id"
    )
    parking_zones: dict[str, list[str]] = Field(
        default_factory=dict, description="Resident parking zones: their streets, by zone name"
    )
    desk_email: str | None = Field(
        default=None, description="Where deadline reminders go when no clerk holds the case"
    )
    stale_claim_hours: int = Field(
        default=72, ge=1, description="After this long a supervisor may take over a claim"
    )


class CaseOpened(DomainEvent):
    """An application became a case of the competent town."""

    type_name: ClassVar[str] = "casework.CaseOpened"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    application_id: UUID
    procedure: str
    competent_town: Ags
    processing_towns: list[Ags] = Field(description="Towns whose clerks may work on it")
    opened_at: datetime
    case_number: str | None = None
    form_version: int | None = None
    deadline: date | None = Field(default=None, description="When it must be decided")
    urgent: bool = False
    objection_to: UUID | None = Field(default=None, description="The case objected to")


class CaseReferredToClerk(DomainEvent):
    """Automation could not decide; the case waits in a clerk queue, with the reasons why."""

    type_name: ClassVar[str] = "casework.CaseReferredToClerk"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    queue: str
    rule_outcomes: list[RuleOutcome]
    prepared: Literal["approved", "rejected"] | None = Field(
        default=None,
        description="The decision the check prepared; a clerk confirms it with one action",
    )


class FeeBasis(BaseModel):
    """What billing needs from a decision to assess its fee (the procedure says which parts)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal | None = Field(
        default=None, description="A fee the clerk fixed within the schedule's range (GebOSt)"
    )
    area_m2: Decimal | None = None
    days: int | None = None
    rate_class: str | None = Field(default=None, description="E.g. a listed dangerous breed")
    dogs_kept: int | None = None


class CaseDecided(DomainEvent):
    """A decision (Bescheid) was taken on a case.

    Version 3 names the clerk and carries the reasons of a rejection and what billing needs;
    version 2 recorded every rule outcome; version 1 carried one free-text ``reason`` only.
    """

    type_name: ClassVar[str] = "casework.CaseDecided"
    version: ClassVar[int] = 3
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    procedure: str
    outcome: Literal["approved", "rejected"]
    decided_by: str = Field(description="'automation' or clerk:<id>@<AGS>")
    on_behalf_of: Ags = Field(description="The competent town the decision is issued for")
    rule_outcomes: list[RuleOutcome]
    conditions: list[str] = Field(default_factory=list, description="Auflagen, German")
    decided_at: datetime
    reasons: list[str] = Field(default_factory=list, description="Gründe, German")
    clerk: Clerk | None = Field(default=None, description="None: decided by automation")
    fee: FeeBasis | None = None


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


@REGISTRY.upcaster("casework.CaseDecided", from_version=2)
def _case_decided_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """v2 knew no clerk, reasons or fee basis: the defaults say none."""
    return data


class CaseClosed(DomainEvent):
    """Nothing more will be done on the case; it can be filed."""

    type_name: ClassVar[str] = "casework.CaseClosed"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    closed_at: datetime
    reason: Literal["decided", "withdrawn", "merged"] = "decided"


class CaseClaimed(DomainEvent):
    """A clerk took the case: nobody else works on it until it is released or reassigned."""

    type_name: ClassVar[str] = "casework.CaseClaimed"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    clerk: Clerk
    claimed_at: datetime
    taken_over_from: Clerk | None = Field(
        default=None, description="A supervisor took over an old claim of this clerk"
    )


class CaseReleased(DomainEvent):
    """The clerk gave the case back to the queue."""

    type_name: ClassVar[str] = "casework.CaseReleased"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    clerk: Clerk
    released_at: datetime


class CaseReassigned(DomainEvent):
    """A supervisor gave the case to another clerk."""

    type_name: ClassVar[str] = "casework.CaseReassigned"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    to: Clerk
    by: Clerk
    reason: str
    reassigned_at: datetime


class CaseMoved(DomainEvent):
    """The towns that may process an open case changed (a new delegation, applied on purpose)."""

    type_name: ClassVar[str] = "casework.CaseMoved"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    processing_towns: list[Ags]
    by: str
    reason: str
    moved_at: datetime


class InformationRequested(DomainEvent):
    """The applicant is asked for more information (answered on the tracking page or widget)."""

    type_name: ClassVar[str] = "casework.InformationRequested"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    request_id: UUID
    question: Annotated[str | None, PERSONAL]
    due: date
    by: Clerk
    requested_at: datetime


class InformationReceived(DomainEvent):
    """The applicant's answer to a request arrived (from intake); the clerk can go on."""

    type_name: ClassVar[str] = "casework.InformationReceived"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    request_id: UUID
    received_at: datetime


class HearingRequested(DomainEvent):
    """A body is heard (police, road authority, public transport, fire brigade …)."""

    type_name: ClassVar[str] = "casework.HearingRequested"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    hearing_id: UUID
    body: str = Field(description="Id of the body, e.g. polizei")
    body_name: str
    body_email: str
    subject: str = Field(description="What the body is asked about (German)")
    due: date
    by: Clerk
    requested_at: datetime
    answer_url: Annotated[str | None, PERSONAL] = Field(
        default=None, description="The body's secret link to answer (sent by notify)"
    )


class HearingAnswered(DomainEvent):
    """A heard body answered (through its e-mail link, or recorded by the clerk)."""

    type_name: ClassVar[str] = "casework.HearingAnswered"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    hearing_id: UUID
    verdict: Literal["zustimmung", "zustimmung_mit_auflagen", "ablehnung", "stellungnahme"]
    statement: str = ""
    conditions: list[str] = Field(default_factory=list)
    recorded_by: str = Field(description="body:<id> (its link) or clerk:<id>@<AGS>")
    answered_at: datetime


class HearingDeadlinePassed(DomainEvent):
    """A heard body did not answer in time; the clerk may decide without its answer."""

    type_name: ClassVar[str] = "casework.HearingDeadlinePassed"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    hearing_id: UUID
    due: date
    noted_at: datetime


class AutomatedRuleOverruled(DomainEvent):
    """A clerk set an automated rule's finding aside, with a reason (recorded, shown)."""

    type_name: ClassVar[str] = "casework.AutomatedRuleOverruled"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    rule: str
    reason: str
    by: Clerk
    overruled_at: datetime


class DocumentRef(BaseModel):
    """A document in the object store, sealed with the case's key (``runtime.documents``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    object_name: str
    filename: str
    content_type: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class DecisionDocumentIssued(DomainEvent):
    """The decision letter (PDF) is written and stored; notify sends it, archive files it."""

    type_name: ClassVar[str] = "casework.DecisionDocumentIssued"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    document: DocumentRef
    issued_at: datetime


class DecisionDispatched(DomainEvent):
    """The decision letter went out; it counts as made known on ``known_on`` (§41 VwVfG)."""

    type_name: ClassVar[str] = "casework.DecisionDispatched"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    dispatched_at: datetime
    known_on: date = Field(description="Bekanntgabe: the third day after dispatch")


class StatusReported(DomainEvent):
    """A clerk tells the applicant how things stand (a defect report: „Behoben“)."""

    type_name: ClassVar[str] = "casework.StatusReported"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    status: Literal["in_bearbeitung", "weitergeleitet", "behoben", "nicht_zustaendig"]
    note: str = Field(default="", description="German, for the applicant; names no person")
    by: Clerk
    reported_at: datetime


class DeadlineNear(DomainEvent):
    """A case's deadline is near (or passed): its clerks are told (notify)."""

    type_name: ClassVar[str] = "casework.DeadlineNear"
    aggregate_type: ClassVar[str] = "case"

    case_id: UUID
    deadline: date
    passed: bool
    noted_at: datetime


REGISTRY.added_fields(
    "casework.CaseOpened", 1
)  # v2: case number, form version, deadline, urgency, objection


REGISTRY.added_fields("casework.CaseReferredToClerk", 1)  # v2: the prepared decision


REGISTRY.added_fields("casework.DelegationAgreed", 1)  # v2: validity and who agreed


REGISTRY.added_fields("casework.CaseClosed", 1)  # v2: why it closed
