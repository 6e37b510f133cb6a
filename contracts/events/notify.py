"""Events of notify: messages sent to citizens, clerks and authorities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import PERSONAL, REGISTRY, DomainEvent


class MessageDelivered(DomainEvent):
    """A message was handed to the recipient's mail server.

    Version 2 names the channel; version 1 was e-mail only.
    """

    type_name: ClassVar[str] = "notify.MessageDelivered"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "message"

    message_id: UUID
    case_id: UUID | None
    template: str
    channel: Literal["email"]
    recipient: Annotated[str | None, PERSONAL]
    attempts: int
    delivered_at: datetime


@REGISTRY.upcaster("notify.MessageDelivered", from_version=1)
def _message_delivered_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 knew only e-mail."""
    return {**data, "channel": "email"}


class MessageDeliveryFailed(DomainEvent):
    """A delivery attempt failed; ``final`` says whether notify has given up."""

    type_name: ClassVar[str] = "notify.MessageDeliveryFailed"
    aggregate_type: ClassVar[str] = "message"

    message_id: UUID
    case_id: UUID | None
    template: str
    attempts: int
    error: str
    final: bool
    next_attempt_at: datetime | None
    failed_at: datetime


class MessageBounced(DomainEvent):
    """The recipient's side reported a message undeliverable after it was handed over: a
    delivery status notification (RFC 3464) with ``Action: failed`` came back.

    ``status`` is the enhanced status code (RFC 3463, ``5.1.1``); the diagnostic and the
    final recipient quote the address, so they are personal.
    """

    type_name: ClassVar[str] = "notify.MessageBounced"
    aggregate_type: ClassVar[str] = "message"

    message_id: UUID
    case_id: UUID | None
    template: str
    status: str
    diagnostic: Annotated[str | None, PERSONAL]
    final_recipient: Annotated[str | None, PERSONAL]
    bounced_at: datetime


class MessageDeferred(DomainEvent):
    """A mail server on the way reported a message delayed (RFC 3464 ``Action: delayed``):
    it keeps trying, until ``will_retry_until`` if it said so."""

    type_name: ClassVar[str] = "notify.MessageDeferred"
    aggregate_type: ClassVar[str] = "message"

    message_id: UUID
    case_id: UUID | None
    template: str
    status: str
    diagnostic: Annotated[str | None, PERSONAL]
    final_recipient: Annotated[str | None, PERSONAL]
    will_retry_until: datetime | None
    deferred_at: datetime


class ForwardingRecipient(BaseModel):
    """An authority a trade notice is forwarded to (§ 3 GewAnzV), as a town's member file
    names it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="As the cover letter names it: „Finanzamt Grimma“")
    email: str = Field(description="Its office address for XGewerbeanzeige messages")


class ForwardingConfigured(DomainEvent):
    """Where a town's trade registrations are forwarded from now on (a snapshot from its
    member file's ``[notify.forwarding]``), by kind: finanzamt, ihk, handwerkskammer,
    statistik, gewerbeaufsicht."""

    type_name: ClassVar[str] = "notify.ForwardingConfigured"
    aggregate_type: ClassVar[str] = "forwarding"

    town: str
    recipients: dict[str, ForwardingRecipient] = Field(description="Per kind of authority")
    configured_at: datetime
