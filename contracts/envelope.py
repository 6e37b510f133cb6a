"""The envelope every event travels in, and the commit that carries one command's events.

One command may produce several events; they are published as **one** JetStream message (a
commit), so they land together or not at all. The commit id is the message id JetStream
de-duplicates on. Headers repeat what routing and tracing need without parsing the body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Ags = Annotated[str, StringConstraints(pattern=r"^\d{8}$")]
"""Amtlicher Gemeindeschlüssel: the 8-digit official key of a municipality (the tenant)."""


class Headers:
    """Header names of a commit message (NATS headers are case-sensitive)."""

    MSG_ID = "Nats-Msg-Id"
    EXPECTED_LAST_SUBJECT_SEQUENCE = "Nats-Expected-Last-Subject-Sequence"
    EVENT_TYPES = "Rc-Event-Types"
    TENANT = "Rc-Tenant"
    CORRELATION_ID = "Rc-Correlation-Id"
    DATA_KEY = "Rc-Data-Key"
    TRACEPARENT = "traceparent"
    TRACESTATE = "tracestate"


class EventMeta(BaseModel):
    """Who, where, when and why of one event — everything but the fact itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(description="Time-ordered (UUIDv7) id of this event")
    type: str = Field(description="Event type name, e.g. intake.ApplicationSubmitted")
    version: int = Field(ge=1, description="Schema version of the stored data")
    tenant: Ags = Field(description="AGS of the town the event belongs to")
    aggregate_type: str
    aggregate_id: str
    occurred_at: datetime
    actor: str = Field(description="citizen, system:<rule or service>, clerk:<id>@<AGS>")
    correlation_id: UUID = Field(description="Shared by everything one original request caused")
    causation_id: UUID | None = Field(default=None, description="The event this one reacts to")
    data_key: str | None = Field(
        default=None, description="Id of the key that encrypts this event's personal fields"
    )
    traceparent: str | None = Field(default=None, description="W3C trace context at the write")


class StoredEvent(BaseModel):
    """An event as stored: its metadata and its (partly encrypted) JSON data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meta: EventMeta
    data: dict[str, Any]


class Commit(BaseModel):
    """The body of one JetStream message: all events of one command, in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commit_id: UUID
    events: list[StoredEvent] = Field(min_length=1)


class EncryptedValue(BaseModel):
    """How a personal field looks in the log: AES-256-GCM ciphertext, base64."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pii: str = Field(alias="$pii", description="base64(nonce ‖ ciphertext ‖ tag)")
