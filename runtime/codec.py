"""Turning events into commit bytes and back: envelopes, encryption, upcasting.

Writing, a personal field's JSON value is sealed with the case's data key, bound to the
event id and field name. Reading, it is opened again — or reads as ``None`` when the key
has been destroyed. Old versions are upcast before validation, so handlers only ever see
the current shape of an event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError

from contracts.base import REGISTRY, DomainEvent, EventRegistry
from contracts.envelope import Commit, EventMeta, StoredEvent
from runtime.crypto import open_text, seal_text

E = TypeVar("E", bound=DomainEvent)
_SEALED = "$pii"


class DataKeys(Protocol):
    """Where the codec gets data keys (``runtime.datakeys.DataKeyStore`` in production)."""

    async def create(self, key_id: str) -> AESGCM: ...

    async def get(self, key_id: str) -> AESGCM | None: ...


@dataclass(frozen=True)
class Envelope(Generic[E]):
    """A decoded event with its metadata and its place in the stream."""

    meta: EventMeta
    event: E
    stream_seq: int = 0
    commit: bytes = field(default=b"", repr=False)
    """The whole commit as stored (personal fields sealed), e.g. for the e-file."""
    personal_data_erased: bool = False
    """Whether sealed personal fields could not be opened because their key is destroyed."""


class EventUnreadable(ValueError):
    """A stored event does not fit its model; the message names fields, never values."""


class PersonalDataWithoutKey(ValueError):
    """An event carries personal data but names no data key (to seal or to open it with)."""


def _associated(meta: EventMeta, field: str) -> bytes:
    return f"{meta.event_id}:{field}".encode()


class EventCodec:
    """Encodes and decodes commits for one process (holds the data key store)."""

    def __init__(self, keys: DataKeys, registry: EventRegistry = REGISTRY) -> None:
        self._keys = keys
        self._registry = registry

    async def encode(self, commit_id: Any, events: list[tuple[EventMeta, DomainEvent]]) -> bytes:
        """Serialise one commit, sealing every personal field."""
        stored = [await self._seal(meta, event) for meta, event in events]
        return Commit(commit_id=commit_id, events=stored).model_dump_json().encode()

    async def decode(
        self, raw: bytes, stream_seq: int = 0, *, open_personal: bool = True
    ) -> list[Envelope[DomainEvent]]:
        """Parse one commit into envelopes; raises ``UnknownEventType`` for a type we lack.

        With ``open_personal=False`` personal fields stay closed and read as ``None``: a
        reader that has no use for them costs no key lookup and holds no plaintext.
        """
        commit = Commit.model_validate_json(raw)
        return [
            await self._open(stored, stream_seq, raw, open_personal) for stored in commit.events
        ]

    async def _seal(self, meta: EventMeta, event: DomainEvent) -> StoredEvent:
        data = event.model_dump(mode="json")
        personal = [name for name in event.personal_fields() if data.get(name) is not None]
        if personal:
            if meta.data_key is None:
                raise PersonalDataWithoutKey(f"{meta.type} carries personal data but no key")
            key = await self._keys.create(meta.data_key)
            for name in personal:
                plaintext = json.dumps(data[name], separators=(",", ":")).encode()
                data[name] = {_SEALED: seal_text(key, plaintext, _associated(meta, name))}
        return StoredEvent(meta=meta, data=data)

    async def _open(
        self, stored: StoredEvent, stream_seq: int, raw: bytes, open_personal: bool
    ) -> Envelope[DomainEvent]:
        meta = stored.meta
        cls = self._registry.event_class(meta.type)
        data = dict(stored.data)
        sealed = [name for name in cls.personal_fields() if _is_sealed(data.get(name))]
        key = None
        if sealed:
            if meta.data_key is None:
                raise PersonalDataWithoutKey(f"{meta.type} {meta.event_id} has sealed fields")
            key = await self._keys.get(meta.data_key) if open_personal else None
            for name in sealed:
                data[name] = (
                    None
                    if key is None
                    else json.loads(open_text(key, data[name][_SEALED], _associated(meta, name)))
                )
        data = self._registry.upcast(meta.type, meta.version, data)
        try:
            event = cls.model_validate(data)
        except ValidationError as exc:
            # pydantic's message quotes the input, which may be decrypted personal data;
            # the error goes to logs and dead letters, which no erasure reaches.
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                for error in exc.errors(include_input=False, include_url=False)
            )
            raise EventUnreadable(f"{meta.type} {meta.event_id}: {problems}") from None
        return Envelope(
            meta=meta,
            event=event,
            stream_seq=stream_seq,
            commit=raw,
            personal_data_erased=bool(sealed) and key is None,
        )


def _is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and _SEALED in value


def event_types_of(raw_header: str | None) -> list[str]:
    """The event type names a commit's ``Rc-Event-Types`` header lists."""
    return [part.split("/", 1)[0] for part in (raw_header or "").split(",") if part]
