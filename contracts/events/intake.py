"""Events of intake: the member towns' profiles, their catalogue, and submitted applications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import PERSONAL, REGISTRY, DomainEvent
from contracts.envelope import Ags
from contracts.values import Contact, PostalAddress


class TownProfilePublished(DomainEvent):
    """A member town's master data as configured (a full snapshot; the latest one counts)."""

    type_name: ClassVar[str] = "intake.TownProfilePublished"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "town"

    ags: Ags
    name: str
    official_name: str
    kind: Literal["Stadt", "Gemeinde"]
    district: str
    postcodes: list[str]
    website: str
    email: str
    phone: str
    leitweg_id: str
    address: PostalAddress
    area: list[tuple[float, float]] | None = Field(
        default=None,
        description="The town's area: a polygon of (latitude, longitude) corners, WGS 84"
        " (coarse in the demo member files; see contracts/geo.py). None: not configured.",
    )
    widget_origins: list[str] = Field(
        default_factory=list,
        description="Origins of the town's own web pages that embed the widget, e.g."
        " https://www.wurzen.de (the API answers browsers from these only)",
    )


class ProcedureOffered(DomainEvent):
    """A town offers a procedure online (again, or with a changed configuration)."""

    type_name: ClassVar[str] = "intake.ProcedureOffered"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "town"

    ags: Ags
    procedure: str
    competent_office: str
    form_version: int = Field(ge=1)
    contact: str | None = Field(
        default=None, description="How to reach the office, e.g. phone and e-mail (German)"
    )
    opening_hours: str | None = Field(default=None, description="When the office is open")
    fee_hint: str | None = Field(
        default=None, description="What the procedure costs, as citizens read it (German)"
    )


class ProcedureWithdrawn(DomainEvent):
    """A town no longer offers a procedure online."""

    type_name: ClassVar[str] = "intake.ProcedureWithdrawn"
    aggregate_type: ClassVar[str] = "town"

    ags: Ags
    procedure: str


class AttachmentRef(BaseModel):
    """An uploaded file, stored encrypted in the attachment object store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attachment_id: str
    filename: str
    content_type: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ApplicationSubmitted(DomainEvent):
    """A citizen or business submitted an application; it is now a case to be handled."""

    type_name: ClassVar[str] = "intake.ApplicationSubmitted"
    version: ClassVar[int] = 3
    aggregate_type: ClassVar[str] = "application"

    application_id: UUID
    procedure: str
    form_version: int = Field(ge=1)
    submitted_at: datetime
    contact: Annotated[Contact | None, PERSONAL]
    form: Annotated[dict[str, Any] | None, PERSONAL]
    attachments: Annotated[list[AttachmentRef] | None, PERSONAL] = None
    tracking_url: Annotated[str | None, PERSONAL] = Field(
        default=None, description="The applicant's secret link to follow the case"
    )
    case_number: str | None = Field(
        default=None,
        description="The readable case number (Vorgangsnummer), e.g. WUR-2026-000017;"
        " absent in applications submitted before it was introduced",
    )
    tracking_digest: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex) of the tracking link's token: archive checks the token of"
        " the applicant's file inspection (Akteneinsicht) against it; the token itself cannot"
        " be derived from it. Absent in applications submitted before it was introduced",
    )


class InformationProvided(DomainEvent):
    """The applicant answered a clerk's request for information (tracking page or widget)."""

    type_name: ClassVar[str] = "intake.InformationProvided"
    aggregate_type: ClassVar[str] = "application"

    application_id: UUID
    request_id: UUID = Field(description="The request answered (casework.InformationRequested)")
    answer: Annotated[str | None, PERSONAL]
    attachments: Annotated[list[AttachmentRef] | None, PERSONAL] = None
    provided_at: datetime


class ApplicationWithdrawn(DomainEvent):
    """The applicant withdrew the application before it was decided (tracking page)."""

    type_name: ClassVar[str] = "intake.ApplicationWithdrawn"
    aggregate_type: ClassVar[str] = "application"

    application_id: UUID
    withdrawn_at: datetime


class ObjectionLodged(DomainEvent):
    """The applicant lodged an objection (Widerspruch) against the decision on an application.

    It becomes a new case (``objection_id``), linked to the first; its personal data is sealed
    with the first application's key, so erasing the one erases the other.
    """

    type_name: ClassVar[str] = "intake.ObjectionLodged"
    aggregate_type: ClassVar[str] = "application"

    application_id: UUID = Field(description="The application whose decision is objected to")
    objection_id: UUID = Field(description="The new case")
    procedure: str
    grounds: Annotated[str | None, PERSONAL]
    attachments: Annotated[list[AttachmentRef] | None, PERSONAL] = None
    lodged_at: datetime
    case_number: str | None = Field(default=None, description="The objection's Vorgangsnummer")


REGISTRY.added_fields("intake.TownProfilePublished", 1)  # v2: area and widget origins


REGISTRY.added_fields("intake.ProcedureOffered", 1)  # v2: contact, opening hours, fee hint


REGISTRY.added_fields("intake.ApplicationSubmitted", 1)  # v2: the readable case number


REGISTRY.added_fields("intake.ApplicationSubmitted", 2)  # v3: the tracking token's digest
