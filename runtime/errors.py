"""Errors as operators read them: one short line, never the data that caused them.

Dead letters, outbox rows and log lines keep what they are given for a long time, and no
erasure reaches them. So an error is described by its kind and where it happened — pydantic's
messages by field, without the input values they would otherwise quote — in a single line.
"""

from __future__ import annotations

from pydantic import ValidationError

MAX_LENGTH = 300


def describe_error(error: BaseException) -> str:
    """``Kind: first line of the message`` (pydantic errors by field, without values)."""
    if isinstance(error, ValidationError):
        problems = [
            f"{'.'.join(str(part) for part in e['loc']) or '(root)'}: {e['msg']}"
            for e in error.errors(include_input=False, include_url=False)
        ]
        more = f"; … {len(problems) - 5} more" if len(problems) > 5 else ""
        text = f"ValidationError: {'; '.join(problems[:5])}{more}"
    else:
        message = str(error).strip().splitlines()
        text = f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"
