"""The event store: append commits to an aggregate's subject, and read them back.

Append is optimistic: the caller names the stream sequence of the aggregate's last event it
has seen (0 for a new aggregate), and JetStream refuses the write if another writer got
there first (``Nats-Expected-Last-Subject-Sequence``). All events of one command travel in
one message, so they land together or not at all. The commit id is the message id, so a
retried publish is stored once.

JetStream checks the expected sequence *before* de-duplicating, so a retry of a commit that
did land comes back as a conflict; ``append`` recognises its own commit at the head of the
subject and reports it as a duplicate instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import APIError, NotFoundError
from opentelemetry.trace import SpanKind

from contracts.base import DomainEvent
from contracts.envelope import EventMeta, Headers
from contracts.naming import Namespace, Service
from runtime.codec import Envelope, EventCodec
from runtime.ids import new_id
from runtime.telemetry import current_traceparent, inject_headers, tracer

WRONG_LAST_SEQUENCE = frozenset({10071, 10164})


class Publisher(Protocol):
    """What the store needs to publish: FastStream's ``NatsBroker.publish`` fits."""

    async def publish(
        self, message: Any, subject: str, *, headers: dict[str, str], stream: str, timeout: float
    ) -> Any: ...


@dataclass(frozen=True)
class AggregateRef:
    """Where an aggregate lives: owning service, town, type and id."""

    service: Service
    tenant: str
    aggregate_type: str
    aggregate_id: str

    def subject(self, ns: Namespace) -> str:
        """The aggregate's subject in namespace ``ns``."""
        return ns.aggregate_subject(
            self.service, self.tenant, self.aggregate_type, self.aggregate_id
        )


@dataclass(frozen=True)
class Cause:
    """Why events are written: who acted, and what request or event led to it."""

    actor: str
    correlation_id: UUID
    causation_id: UUID | None = None

    @classmethod
    def from_event(cls, meta: EventMeta, actor: str) -> Cause:
        """The cause of a reaction to ``meta``: same correlation, caused by that event."""
        return cls(actor=actor, correlation_id=meta.correlation_id, causation_id=meta.event_id)


@dataclass(frozen=True)
class AppendResult:
    """Where a commit landed; ``duplicate`` if it had landed before."""

    stream_seq: int
    duplicate: bool


@dataclass(frozen=True)
class LoadedAggregate:
    """An aggregate's events and the stream sequence to expect when appending next."""

    events: list[Envelope[DomainEvent]]
    last_seq: int
    commit_ids: list[str]


class ConcurrencyConflict(Exception):
    """Another writer appended to the aggregate since it was loaded."""

    def __init__(self, subject: str, expected: int) -> None:
        super().__init__(f"{subject}: expected last sequence {expected}, but it moved on")
        self.subject = subject
        self.expected = expected


KEPT_AT_MOST = 4096
"""Aggregates ``EventStore.load_kept`` keeps; beyond that the longest kept is let go."""


class EventStore:
    """Appends to and reads from the streams of one installation."""

    def __init__(
        self,
        publisher: Publisher,
        js: JetStreamContext,
        codec: EventCodec,
        ns: Namespace,
        *,
        timeout: float = 5.0,
    ) -> None:
        self._publisher = publisher
        self._js = js
        self._codec = codec
        self._ns = ns
        self._timeout = timeout
        self._kept: dict[str, LoadedAggregate] = {}

    @property
    def codec(self) -> EventCodec:
        """The codec this store encodes and decodes with."""
        return self._codec

    @property
    def namespace(self) -> Namespace:
        """The namespace of this installation."""
        return self._ns

    async def append(
        self,
        ref: AggregateRef,
        events: Sequence[DomainEvent],
        *,
        expected_seq: int,
        cause: Cause,
        commit_id: UUID | None = None,
        data_key: str | None = None,
        occurred_at: datetime | None = None,
    ) -> AppendResult:
        """Append ``events`` as one commit; raises ``ConcurrencyConflict``.

        ``occurred_at`` is when the events were decided, if that was before now (an outbox
        publishes them later).
        """
        if not events:
            raise ValueError("a commit needs at least one event")
        commit_id = commit_id or new_id()
        subject = ref.subject(self._ns)
        with tracer().start_as_current_span(f"append {ref.aggregate_type}", kind=SpanKind.PRODUCER):
            at = occurred_at or datetime.now(UTC)
            metas = [self._meta(ref, event, cause, data_key, at) for event in events]
            body = await self._codec.encode(commit_id, list(zip(metas, events, strict=True)))
            headers = self._headers(commit_id, expected_seq, ref, cause, events, data_key)
            try:
                ack: PubAck = await self._publisher.publish(
                    body,
                    subject,
                    headers=headers,
                    stream=self._ns.stream(ref.service),
                    timeout=self._timeout,
                )
            except APIError as exc:
                if exc.err_code not in WRONG_LAST_SEQUENCE:
                    raise
                return await self._landed_before(ref, subject, commit_id, expected_seq)
        return AppendResult(stream_seq=ack.seq, duplicate=bool(ack.duplicate))

    async def create(
        self,
        ref: AggregateRef,
        events: Sequence[DomainEvent],
        *,
        cause: Cause,
        commit_id: UUID,
        data_key: str | None = None,
    ) -> AppendResult | None:
        """Append the first commit of a new aggregate; ``None`` if it exists already.

        Reactions that create an aggregate use it without loading first: the expected
        sequence 0 makes the server refuse a second creation, and the fixed commit id makes a
        redelivered reaction come back as a duplicate of its own earlier write.
        """
        try:
            return await self.append(
                ref, events, expected_seq=0, cause=cause, commit_id=commit_id, data_key=data_key
            )
        except ConcurrencyConflict:
            return None

    async def decide_and_append(
        self,
        ref: AggregateRef,
        decide: Callable[[list[DomainEvent]], Sequence[DomainEvent]],
        *,
        cause: Cause,
        commit_id: UUID | None = None,
        data_key: str | None = None,
        attempts: int = 5,
    ) -> list[DomainEvent]:
        """Load, decide on the history, append; on a conflict start over on the new state.

        Returns the events appended (empty when the decision was that nothing changes).
        """
        for _ in range(attempts):
            loaded = await self.load(ref)
            events = list(decide([envelope.event for envelope in loaded.events]))
            if not events:
                return []
            try:
                await self.append(
                    ref,
                    events,
                    expected_seq=loaded.last_seq,
                    cause=cause,
                    commit_id=commit_id,
                    data_key=data_key,
                )
                return events
            except ConcurrencyConflict:
                continue
        raise ConcurrencyConflict(ref.subject(self._ns), -1)

    async def head(self, ref: AggregateRef) -> tuple[int, str | None]:
        """The stream sequence and commit id of an aggregate's last commit ((0, None) if new)."""
        try:
            last = await self._js.get_last_msg(
                self._ns.stream(ref.service), ref.subject(self._ns), direct=True
            )
        except NotFoundError:
            return 0, None
        return last.seq or 0, (last.headers or {}).get(Headers.MSG_ID)

    async def load(self, ref: AggregateRef) -> LoadedAggregate:
        """All events of one aggregate, in order (an empty list for a new one)."""
        return await self._load_after(ref, LoadedAggregate(events=[], last_seq=0, commit_ids=[]))

    async def load_kept(self, ref: AggregateRef) -> LoadedAggregate:
        """All events of an aggregate read often and appended to rarely (a town's fee schedule).

        The events are kept after the first load, and each later load only asks for what was
        appended since: one request that mostly finds nothing, where a full load costs a
        request per commit and one more, and decodes every commit again. Only an aggregate
        without personal data is kept — a kept copy would outlive the erasure of its key.
        """
        key = ref.subject(self._ns)
        loaded = await self._load_after(
            ref, self._kept.get(key) or LoadedAggregate(events=[], last_seq=0, commit_ids=[])
        )
        if any(e.meta.data_key is not None for e in loaded.events):
            self._kept.pop(key, None)
        else:
            if key not in self._kept and len(self._kept) >= KEPT_AT_MOST:
                del self._kept[next(iter(self._kept))]  # the longest kept
            self._kept[key] = loaded
        return loaded

    async def _load_after(self, ref: AggregateRef, loaded: LoadedAggregate) -> LoadedAggregate:
        """``loaded`` and the aggregate's events after it: ``loaded`` itself if there are none,
        else a new object (``loaded`` stays as it was — callers share it and only read it)."""
        subject = ref.subject(self._ns)
        stream = self._ns.stream(ref.service)
        events, commit_ids = list(loaded.events), list(loaded.commit_ids)
        seq, last = loaded.last_seq + 1, loaded.last_seq
        while True:
            try:
                msg = await self._js.get_msg(
                    stream, seq=seq, subject=subject, next=True, direct=True
                )
            except NotFoundError:
                if last == loaded.last_seq:
                    return loaded
                return LoadedAggregate(events=events, last_seq=last, commit_ids=commit_ids)
            last = msg.seq or 0
            commit_ids.append((msg.headers or {}).get(Headers.MSG_ID, ""))
            events.extend(await self._codec.decode(msg.data or b"", stream_seq=last))
            seq = last + 1

    async def _landed_before(
        self, ref: AggregateRef, subject: str, commit_id: UUID, expected_seq: int
    ) -> AppendResult:
        try:
            last = await self._js.get_last_msg(self._ns.stream(ref.service), subject, direct=True)
        except NotFoundError:
            raise ConcurrencyConflict(subject, expected_seq) from None
        if (last.headers or {}).get(Headers.MSG_ID) == str(commit_id):
            return AppendResult(stream_seq=last.seq or 0, duplicate=True)
        raise ConcurrencyConflict(subject, expected_seq)

    @staticmethod
    def _meta(
        ref: AggregateRef, event: DomainEvent, cause: Cause, data_key: str | None, at: datetime
    ) -> EventMeta:
        if event.aggregate_type != ref.aggregate_type:
            raise ValueError(f"{event.type_name} belongs to a {event.aggregate_type} aggregate")
        return EventMeta(
            event_id=new_id(),
            type=event.type_name,
            version=event.version,
            tenant=ref.tenant,
            aggregate_type=ref.aggregate_type,
            aggregate_id=ref.aggregate_id,
            occurred_at=at,
            actor=cause.actor,
            correlation_id=cause.correlation_id,
            causation_id=cause.causation_id,
            data_key=data_key,
            traceparent=current_traceparent(),
        )

    @staticmethod
    def _headers(
        commit_id: UUID,
        expected_seq: int,
        ref: AggregateRef,
        cause: Cause,
        events: Sequence[DomainEvent],
        data_key: str | None,
    ) -> dict[str, str]:
        headers = {
            Headers.MSG_ID: str(commit_id),
            Headers.EXPECTED_LAST_SUBJECT_SEQUENCE: str(expected_seq),
            Headers.EVENT_TYPES: ",".join(f"{e.type_name}/{e.version}" for e in events),
            Headers.TENANT: ref.tenant,
            Headers.CORRELATION_ID: str(cause.correlation_id),
        }
        if data_key:
            headers[Headers.DATA_KEY] = data_key
        return inject_headers(headers)
