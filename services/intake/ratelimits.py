"""How often one client, and one recipient, may submit: a brake on intake as a mail cannon.

An acknowledgement goes out in the town's name to whatever address a form names, so intake
limits submissions per client address and per recipient address (moving windows, the
``limits`` library). The counts live in this process's memory: a restart forgets them, and
each replica counts for itself — enough to stop a script, not a distributed attack, which
belongs to the gateway in front of the suite.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Refused:
    """A submission over a limit: which one, and when to try again."""

    reason: str
    retry_after: int


class SubmissionLimits:
    """Per-client and per-recipient limits on submissions."""

    def __init__(self, per_client: str, per_recipient: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_client = parse_many(per_client) if per_client else []
        self._per_recipient = parse_many(per_recipient) if per_recipient else []

    async def admit(self, client: str, recipient: str) -> Refused | None:
        """Count one submission, or say why it is refused (counting nothing then)."""
        recipient_key = hashlib.sha256(recipient.strip().lower().encode()).hexdigest()
        checks = [(item, "client", client) for item in self._per_client] + [
            (item, "recipient", recipient_key) for item in self._per_recipient
        ]
        for item, kind, key in checks:
            if not await self._limiter.test(item, kind, key):
                return Refused(kind, await self._retry_after(item, kind, key))
        for item, kind, key in checks:
            await self._limiter.hit(item, kind, key)
        return None

    async def _retry_after(self, item: RateLimitItem, kind: str, key: str) -> int:
        stats = await self._limiter.get_window_stats(item, kind, key)
        return max(1, int(stats.reset_time - time.time()) + 1)
