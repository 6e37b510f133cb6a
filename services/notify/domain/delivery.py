"""When to try a failed delivery again, and when to give up (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after ``attempts`` failed tries: doubling from ``base`` up to ``cap``."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def next_attempt(
    now: datetime, attempts: int, max_attempts: int, base: float, cap: float, permanent: bool
) -> datetime | None:
    """When to try again, or ``None`` once notify gives up (permanent error, or too many)."""
    if permanent or attempts >= max_attempts:
        return None
    return now + timedelta(seconds=retry_delay(attempts, base, cap))
