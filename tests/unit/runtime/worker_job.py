"""A job only the worker imports (tests/unit/runtime/test_worker.py)."""

from __future__ import annotations

import os


def pid(_: object) -> int:
    """The process that ran the job."""
    return os.getpid()
