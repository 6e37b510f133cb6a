"""The stack's console: short progress lines, safe to write from several threads."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

OK = "✓"
FAILED = "✗"
BUSY = "…"
WARN = "!"  # something went wrong and the stack is dealing with it (a restart)


class Console:
    """Writes whole lines; one thread at a time."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        reconfigure = getattr(self.stream, "reconfigure", None)
        if reconfigure is not None:
            # A terminal that cannot show ✓ gets a replacement character, not a crash.
            reconfigure(errors="replace", line_buffering=True)

    def say(self, text: str = "") -> None:
        """Print a line."""
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def step(self, mark: str, what: str, detail: str = "") -> None:
        """A progress line: ``  ✓ what          detail``."""
        self.say(f"  {mark} {what:<22} {detail}".rstrip())

    def block(self, lines: list[str], indent: str = "    │ ") -> None:
        """Several lines quoted (a log tail)."""
        self.say("\n".join(indent + line for line in lines))
