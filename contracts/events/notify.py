"""Events of notify: messages sent to citizens, clerks and authorities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

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
