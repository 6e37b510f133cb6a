"""In which order messages go out, when to try a failed delivery again, and when to give up
(pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

PROMPT, USUAL, DEFERRABLE = 0, 1, 2
"""Priorities (lower first): a receipt the sender of an application waits for; the rest;
forwardings to other authorities, which the GewAnzV gives no deadline of minutes."""
PROMPT_TEMPLATES = frozenset({"acknowledgement", "objection_received"})
DEFERRABLE_PREFIXES = ("xgewerbeanzeige.",)


def priority(template: str) -> int:
    """A message's place in the senders' queue: under load, a citizen's receipt must not wait
    behind the four forwardings of every trade registration before it."""
    if template in PROMPT_TEMPLATES:
        return PROMPT
    if template.startswith(DEFERRABLE_PREFIXES):
        return DEFERRABLE
    return USUAL


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
