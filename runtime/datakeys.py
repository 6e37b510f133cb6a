"""Per-case data keys in a JetStream key-value bucket: creating, reading, destroying them.

Destroying a key is how personal data is erased from an immutable log (crypto-shredding):
the events stay and replay, their personal fields no longer decrypt. The bucket keeps no
history, and a destroyed key's message is deleted with the server's secure erase (its bytes
overwritten on disk), so no copy of the key survives in NATS.

A missing key reads as erased: keys are always created before the first event that uses
them is written.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue

from runtime.crypto import new_data_key, unwrap_key, wrap_key


class DataKeyStore:
    """Data keys by id, with a short-lived in-process cache.

    The cache keeps hot keys from costing a round trip per event. An erasure evicts the key
    here at once (``forget``); other processes evict it when they see the erasure event, and
    at the latest when the entry expires.
    """

    def __init__(
        self,
        js: JetStreamContext,
        kv: KeyValue,
        stream_name: str,
        kek: bytes,
        *,
        cache_seconds: float = 60.0,
        cache_size: int = 10_000,
    ) -> None:
        self._js = js
        self._kv = kv
        self._stream = stream_name
        self._kek = kek
        self._ttl = cache_seconds
        self._size = cache_size
        self._cache: OrderedDict[str, tuple[float, AESGCM]] = OrderedDict()

    async def create(self, key_id: str) -> AESGCM:
        """The key for ``key_id``, created now if it does not exist yet."""
        data_key = new_data_key()
        try:
            await self._kv.create(key_id, wrap_key(self._kek, data_key, key_id))
        except KeyWrongLastSequenceError:
            existing = await self.get(key_id)
            if existing is None:
                raise KeyErased(key_id) from None
            return existing
        return self._remember(key_id, AESGCM(data_key))

    async def get(self, key_id: str) -> AESGCM | None:
        """The key for ``key_id``, or ``None`` if it was destroyed."""
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > time.monotonic():
            self._cache.move_to_end(key_id)
            return cached[1]
        try:
            entry = await self._kv.get(key_id)
        except KeyNotFoundError:
            self.forget(key_id)
            return None
        if entry.value is None:
            return None
        return self._remember(key_id, AESGCM(unwrap_key(self._kek, entry.value, key_id)))

    async def destroy(self, key_id: str) -> bool:
        """Destroy the key for good. Returns whether a key was there to destroy."""
        self.forget(key_id)
        try:
            entry = await self._kv.get(key_id)
        except KeyNotFoundError:
            return False
        try:
            await self._js.delete_msg(self._stream, entry.revision)
        except NotFoundError:
            return False
        return True

    def forget(self, key_id: str) -> None:
        """Drop a key from this process's cache."""
        self._cache.pop(key_id, None)

    def _remember(self, key_id: str, key: AESGCM) -> AESGCM:
        self._cache[key_id] = (time.monotonic() + self._ttl, key)
        self._cache.move_to_end(key_id)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return key


class KeyErased(LookupError):
    """Personal data was to be written under a key that has already been destroyed."""
