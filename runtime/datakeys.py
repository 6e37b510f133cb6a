"""Per-case data keys in a JetStream key-value bucket: creating, reading, destroying them.

Destroying a key is how personal data is erased from an immutable log (crypto-shredding):
the events stay and replay, their personal fields no longer decrypt. The bucket keeps one
message per key. Destroying deletes that message with the server's secure erase (its bytes
overwritten on disk) and leaves a tombstone in its place, so that the key can never be
created again: an erased case stays erased, nothing new can be written under its id.

The store speaks to the bucket's stream directly rather than through nats-py's KV helper,
whose ``create`` silently overwrites a tombstone.

**Rotating the KEK.** Each wrapped key names the KEK that wrapped it (``runtime.crypto``). The
store reads with the current KEK and any previous ones; ``rewrap_all`` re-wraps every live key
under the current KEK, after which the previous ones can be dropped.

**A restored bucket must not bring erased keys back.** The bucket holds a marker,
``_erasures_applied``: the sequence in archive's stream up to which every erasure
(``archive.PersonalDataErased``) has been applied to this bucket. archive moves it after each
erasure. A bucket restored from a backup carries the marker of its backup, older than the last
erasure in archive's stream (which no restore of the bucket touches). So:

- archive, at start (before it serves anything) and with each erasure, destroys the key of
  every erasure after the marker again and then moves the marker (``services/archive/erasure``);
- every other store (``erasures`` given) serves no key and creates none until the marker has
  reached the last erasure in archive's stream: a key read waits, quietly, once per process.

A key erased after the backup is therefore gone again before any service could read it. Keys
created after the backup are not in a restored bucket at all: the personal data sealed with
them stays unreadable. Restore only with the services stopped (their caches hold keys).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError

from contracts.naming import Namespace, Service
from runtime.crypto import DecryptionFailed, kek_id, new_data_key, unwrap_key, wrap_key
from runtime.natsauth import KEY_CREATOR, KEY_DESTROYER, OWN_KEY_CREATORS, key_bucket_stream
from runtime.reader import read_stream
from runtime.settings import ServiceSettings

log = structlog.get_logger(__name__)

TOMBSTONE_HEADERS = {"KV-Operation": "PURGE", "Nats-Rollup": "sub", "Rc-Erased": "true"}
WRONG_LAST_SEQUENCE = frozenset({10071, 10164})
MARKER = "_erasures_applied"
"""The bucket entry saying up to which archive sequence erasures have been applied to it."""


class KeyErased(LookupError):
    """Personal data was to be written under a key that has been destroyed."""


class KeyMissing(LookupError):
    """A store that may not create keys was asked for one that does not exist."""


@dataclass(frozen=True)
class ErasureLog:
    """Where erasures are recorded: archive's stream, on the subjects of erasure aggregates."""

    stream: str
    subjects: str

    @classmethod
    def of(cls, ns: Namespace) -> ErasureLog:
        """The erasure log of installation ``ns``."""
        return cls(ns.stream(Service.ARCHIVE), ns.aggregate_type_filter(Service.ARCHIVE, "erasure"))

    async def last_seq(self, js: JetStreamContext) -> int:
        """The stream sequence of the last erasure (0 if none, or no stream yet)."""
        try:
            msg = await js.get_msg(self.stream, subject=self.subjects)
        except NotFoundError:
            return 0
        return msg.seq or 0


class DataKeyStore:
    """Data keys by id, with a short-lived in-process cache.

    The cache keeps hot keys from costing a round trip per event. Destroying evicts the key
    here at once (``forget``); other processes evict it when they see the erasure event, and
    at the latest when the entry expires.
    """

    def __init__(
        self,
        js: JetStreamContext,
        bucket: str,
        stream_name: str,
        kek: bytes,
        *,
        previous_keks: Sequence[bytes] = (),
        may_create: bool = True,
        erasures: ErasureLog | None = None,
        cache_seconds: float = 60.0,
        cache_size: int = 10_000,
        gate_poll_seconds: float = 1.0,
    ) -> None:
        self._js = js
        self._prefix = f"$KV.{bucket}."
        self._stream = stream_name
        self._kek = kek
        self._keks = [kek, *previous_keks]
        self._may_create = may_create
        self._erasures = erasures
        self._gate_open = erasures is None
        self._gate_lock = asyncio.Lock()
        self._gate_poll = gate_poll_seconds
        self._ttl = cache_seconds
        self._size = cache_size
        self._cache: OrderedDict[str, tuple[float, AESGCM]] = OrderedDict()

    async def create(self, key_id: str) -> AESGCM:
        """The key for ``key_id``, created now if it never existed; ``KeyErased`` if destroyed.

        Asks the bucket, never the cache: new personal data must not be sealed with a key
        that another process has destroyed within the cache's lifetime. A store that may not
        create keys (every service but intake) only finds the existing one (``KeyMissing``).
        """
        await self.wait_for_erasures()
        if not self._may_create:
            existing = await self._lookup(key_id)
            if existing is None:
                raise KeyMissing(f"data key {key_id} does not exist (this service creates none)")
            return existing
        data_key = new_data_key()
        try:
            await self._js.publish(
                self._prefix + key_id,
                wrap_key(self._kek, data_key, key_id),
                stream=self._stream,
                headers={"Nats-Expected-Last-Subject-Sequence": "0"},
            )
        except APIError as exc:
            if exc.err_code not in WRONG_LAST_SEQUENCE:
                raise
            # There is a key (or a tombstone) already: use it, or refuse.
            existing = await self._lookup(key_id)
            if existing is not None:
                return existing
        else:
            return self._remember(key_id, AESGCM(data_key))
        raise RuntimeError(f"data key {key_id} could not be created")

    async def get(self, key_id: str) -> AESGCM | None:
        """The key for ``key_id``, or ``None`` if it was destroyed (or never existed)."""
        cached = self._cached(key_id)
        if cached is not None:
            return cached
        await self.wait_for_erasures()
        try:
            return await self._lookup(key_id)
        except KeyErased:
            return None

    async def destroy(self, key_id: str) -> bool:
        """Destroy the key for good. Returns whether there was a key to destroy."""
        self.forget(key_id)
        try:
            msg = await self._js.get_last_msg(self._stream, self._prefix + key_id, direct=True)
        except NotFoundError:
            msg = None
        destroyed = False
        if msg is not None and msg.seq and not _is_tombstone(msg.headers):
            await self._js.delete_msg(self._stream, msg.seq)  # secure erase on the server
            destroyed = True
        if msg is None or destroyed:
            await self._js.publish(
                self._prefix + key_id, b"", stream=self._stream, headers=TOMBSTONE_HEADERS
            )
        return destroyed

    async def erased(self, key_id: str) -> bool:
        """Whether ``key_id`` was destroyed, asked of the bucket itself (never the cache).

        For a last look before an effect that must not happen after an erasure (a mail): the
        erasure event may still be on its way to this service while the key is gone already.
        A key that never existed is not erased. NATS errors propagate: the caller cannot know.
        """
        try:
            msg = await self._js.get_last_msg(self._stream, self._prefix + key_id, direct=True)
        except NotFoundError:
            return False
        if _is_tombstone(msg.headers) or not msg.data:
            self.forget(key_id)
            return True
        return False

    def forget(self, key_id: str) -> None:
        """Drop a key from this process's cache."""
        self._cache.pop(key_id, None)

    async def erasures_applied(self) -> tuple[int, int]:
        """The marker: (archive sequence applied up to, the marker's own sequence); 0s if none."""
        try:
            msg = await self._js.get_last_msg(self._stream, self._prefix + MARKER, direct=True)
        except NotFoundError:
            return 0, 0
        if _is_tombstone(msg.headers) or not msg.data:
            return 0, msg.seq or 0
        return int(json.loads(msg.data)["archive_seq"]), msg.seq or 0

    async def mark_erasures_applied(self, archive_seq: int) -> None:
        """Move the marker up to ``archive_seq`` (never down; concurrent writers are fine)."""
        while True:
            applied, marker_seq = await self.erasures_applied()
            if applied >= archive_seq:
                return
            try:
                await self._js.publish(
                    self._prefix + MARKER,
                    json.dumps({"archive_seq": archive_seq}).encode(),
                    stream=self._stream,
                    headers={"Nats-Expected-Last-Subject-Sequence": str(marker_seq)},
                )
                return
            except APIError as exc:
                if exc.err_code not in WRONG_LAST_SEQUENCE:
                    raise

    async def wait_for_erasures(self) -> None:
        """Wait until every erasure in archive's stream has been applied to this bucket.

        Once per process: after a restore of the bucket from a backup, archive applies the
        erasures since the backup again before any key is served here.
        """
        if self._gate_open:
            return
        async with self._gate_lock:
            told = False
            while not self._gate_open:
                assert self._erasures is not None
                needed = await self._erasures.last_seq(self._js)
                applied = (await self.erasures_applied())[0] if needed else 0
                if applied >= needed:
                    self._gate_open = True
                    break
                if not told:
                    log.warning(
                        "key bucket behind archive's erasures (restored?): waiting for archive",
                        applied=applied,
                        needed=needed,
                    )
                    told = True
                await asyncio.sleep(self._gate_poll)

    async def _lookup(self, key_id: str) -> AESGCM | None:
        """The stored key, ``None`` if there is none, ``KeyErased`` at a tombstone."""
        try:
            msg = await self._js.get_last_msg(self._stream, self._prefix + key_id, direct=True)
        except NotFoundError:
            return None
        if _is_tombstone(msg.headers) or not msg.data:
            raise KeyErased(key_id)
        return self._remember(key_id, AESGCM(unwrap_key(self._keks, msg.data, key_id)))

    def _cached(self, key_id: str) -> AESGCM | None:
        cached = self._cache.get(key_id)
        if cached is None or cached[0] <= time.monotonic():
            return None
        self._cache.move_to_end(key_id)
        return cached[1]

    def _remember(self, key_id: str, key: AESGCM) -> AESGCM:
        self._cache[key_id] = (time.monotonic() + self._ttl, key)
        self._cache.move_to_end(key_id)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return key


def _is_tombstone(headers: dict[str, str] | None) -> bool:
    return bool(headers) and (headers or {}).get("KV-Operation") in ("PURGE", "DEL")


@dataclass(frozen=True)
class RewrapReport:
    """What ``rewrap_all`` did."""

    rewrapped: int = 0
    """Keys wrapped with an earlier KEK (or unversioned), now wrapped with the current one."""
    current: int = 0
    """Keys already wrapped with the current KEK: left alone."""
    erased: int = 0
    """Tombstones (destroyed keys): left alone."""
    raced: int = 0
    """Keys changed (destroyed) while being re-wrapped: left to the change."""
    unreadable: list[str] | None = None
    """Key ids no configured KEK opens (wrapped with a KEK that is not configured)."""


async def rewrap_all(
    js: JetStreamContext, ns: Namespace, kek: bytes, previous_keks: Sequence[bytes] = ()
) -> RewrapReport:
    """Re-wrap every live data key of installation ``ns`` under ``kek``; idempotent.

    Each key is read with ``kek`` or one of ``previous_keks`` and written back wrapped with
    ``kek``, on the condition that it is still the key's last message: a key destroyed in the
    meantime stays destroyed. Tombstones and keys already wrapped with ``kek`` are left alone.
    Needs the rights of the key bucket's eraser (archive). Afterwards the previous KEKs may be
    removed from the configuration.
    """
    stream, prefix = key_bucket_stream(ns), f"$KV.{ns.key_bucket()}."
    keks, current_id = [kek, *previous_keks], kek_id(kek)
    counts = {"rewrapped": 0, "current": 0, "erased": 0, "raced": 0}
    unreadable: list[str] = []
    try:
        await js.stream_info(stream)
    except NotFoundError:  # no bucket yet (nothing was ever sealed): nothing to re-wrap
        return RewrapReport(**counts, unreadable=unreadable)
    async for msg in read_stream(js, stream):
        key_id = msg.subject.removeprefix(prefix)
        if key_id == MARKER:
            continue
        if _is_tombstone(dict(msg.headers or {})) or not msg.data:
            counts["erased"] += 1
            continue
        if msg.data.startswith(b"RCK1" + current_id.encode()):
            counts["current"] += 1
            continue
        try:
            data_key = unwrap_key(keks, msg.data, key_id)
        except DecryptionFailed:
            unreadable.append(key_id)
            continue
        counts[await _replace(js, stream, msg, wrap_key(kek, data_key, key_id))] += 1
    log.info("data keys re-wrapped", kek_id=current_id, unreadable=len(unreadable), **counts)
    return RewrapReport(**counts, unreadable=unreadable)


async def _replace(js: JetStreamContext, stream: str, msg: Any, wrapped: bytes) -> str:
    """Write ``wrapped`` over ``msg`` if it is still its subject's last message."""
    try:
        await js.publish(
            msg.subject,
            wrapped,
            stream=stream,
            headers={"Nats-Expected-Last-Subject-Sequence": str(msg.metadata.sequence.stream)},
        )
    except APIError as exc:
        if exc.err_code not in WRONG_LAST_SEQUENCE:
            raise
        return "raced"
    return "rewrapped"


def open_key_store(
    js: JetStreamContext, ns: Namespace, service: Service, settings: ServiceSettings
) -> DataKeyStore:
    """``service``'s view of the key bucket: intake creates keys, billing those of its
    incoming e-invoices (NATS refuses it any other); archive, which applies the erasures,
    never waits for them; every other service waits after a restore."""
    return DataKeyStore(
        js,
        ns.key_bucket(),
        key_bucket_stream(ns),
        settings.kek,
        previous_keks=settings.previous_keks,
        may_create=service == KEY_CREATOR or service in OWN_KEY_CREATORS,
        erasures=None if service == KEY_DESTROYER else ErasureLog.of(ns),
    )
