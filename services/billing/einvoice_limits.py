"""How many invoices one client address may send by API or upload page: a brake on floods.

Sending needs no account, and each invoice costs a check (~20 ms of CPU) and, if received, a
sealed document. A moving window per client address (the ``limits`` library, in this
process's memory: a restart forgets, each replica counts for itself) stops a script; a
distributed flood belongs to the gateway in front of the suite.
"""

from __future__ import annotations

import time

from fastapi import Request
from limits import parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


def client_of(request: Request) -> str:
    """The address a request came from (the gateway's, behind one)."""
    return request.client.host if request.client else "unknown"


class ClientLimits:
    """Per-client limits, e.g. ``"120/minute;2000/hour"`` (empty: none)."""

    def __init__(self, limits: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._items = parse_many(limits) if limits.strip() else []

    async def admit(self, client: str) -> int | None:
        """Count one invoice, or the seconds to wait (counting nothing then)."""
        for item in self._items:
            if not await self._limiter.test(item, "einvoice", client):
                stats = await self._limiter.get_window_stats(item, "einvoice", client)
                return max(1, int(stats.reset_time - time.time()) + 1)
        for item in self._items:
            await self._limiter.hit(item, "einvoice", client)
        return None
