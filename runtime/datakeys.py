"""Per-case data keys in a JetStream key-value bucket: creating, reading, destroying them.

Destroying a key is how personal data is erased from an immutable log (crypto-shredding):
the events stay and replay, their personal fields no longer decrypt. The bucket keeps one
message per key. Destroying deletes that message with the server's secure erase (its bytes
overwritten on disk) and leaves a tombstone in its place, so that the key can never be
created again: an erased case stays erased, nothing new can be written under its id.

The store speaks to the bucket's stream directly rather than through nats-py's KV helper,
whose ``create`` silently overwrites a tombstone.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError

from runtime.crypto import new_data_key, unwrap_key, wrap_key

TOMBSTONE_HEADERS = {"KV-Operation": "PURGE", "Nats-Rollup": "sub", "Rc-Erased": "true"}
WRONG_LAST_SEQUENCE = frozenset({10071, 10164})


class KeyErased(LookupError):
    """Personal data was to be written under a key that has been destroyed."""


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
        cache_seconds: float = 60.0,
        cache_size: int = 10_000,
    ) -> None:
        self._js = js
        self._prefix = f"$KV.{bucket}."
        self._stream = stream_name
        self._kek = kek
        self._ttl = cache_seconds
        self._size = cache_size
        self._cache: OrderedDict[str, tuple[float, AESGCM]] = OrderedDict()

    async def create(self, key_id: str) -> AESGCM:
        """The key for ``key_id``, created now if it never existed; ``KeyErased`` if destroyed.

        Asks the bucket, never the cache: new personal data must not be sealed with a key
        that another process has destroyed within the cache's lifetime.
        """
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

    def forget(self, key_id: str) -> None:
        """Drop a key from this process's cache."""
        self._cache.pop(key_id, None)

    async def _lookup(self, key_id: str) -> AESGCM | None:
        """The stored key, ``None`` if there is none, ``KeyErased`` at a tombstone."""
        try:
            msg = await self._js.get_last_msg(self._stream, self._prefix + key_id, direct=True)
        except NotFoundError:
            return None
        if _is_tombstone(msg.headers) or not msg.data:
            raise KeyErased(key_id)
        return self._remember(key_id, AESGCM(unwrap_key(self._kek, msg.data, key_id)))

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
