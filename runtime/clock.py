"""The time timers go by: the wall clock — or, outside production, one a test can move.

Deadlines run out over days; a test cannot wait for them. Outside production a service may
be given ``RATHAUS_TEST_CLOCK_FILE``: a file holding an offset such as ``+15d`` or ``+36h``
(or nothing), read at each call, that moves what timers take for "now" — and only theirs:
tokens, leases and the log's own timestamps keep the real time. Production refuses the
setting (``runtime.settings``), so a stray file can never move a real town's deadlines.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

_OFFSET = re.compile(r"^\s*([+-]?\d+)\s*([dhm])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class Clock:
    """``now()`` for timers: the wall clock plus the test file's offset, if there is one."""

    def __init__(self, offset_file: str = "") -> None:
        self._file = Path(offset_file) if offset_file else None

    def offset(self) -> timedelta:
        """The test file's offset (zero without a file, or with an empty one)."""
        if self._file is None or not self._file.exists():
            return timedelta(0)
        text = self._file.read_text(encoding="utf-8").strip()
        if not text:
            return timedelta(0)
        match = _OFFSET.match(text)
        if match is None:
            raise ValueError(f"{self._file}: {text!r} is no offset such as +15d, +36h or -10m")
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})

    def now(self) -> datetime:
        """What timers take for the current moment."""
        return datetime.now(UTC) + self.offset()
