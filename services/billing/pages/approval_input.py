"""The approval forms' fields read as the commands take them (pure), with German refusals
that name the field they belong to — so the page shows them at the field and in its summary.

The limits are the JSON API's (``invoice_approval_api``): a note of 500 characters, one to
twenty reasons of 500 characters each, one reason a line.
"""

from __future__ import annotations

from dataclasses import dataclass

NOTE_LIMIT = 500
REASON_LIMIT = 500
REASONS_LIMIT = 20


@dataclass(frozen=True)
class FieldProblem(Exception):
    """What is wrong with a field: its id on the page and the German sentence."""

    field_id: str
    message: str


def note(text: str, field_id: str) -> str | None:
    """A step's optional note (``None`` if empty)."""
    cleaned = text.strip()
    if len(cleaned) > NOTE_LIMIT:
        raise FieldProblem(field_id, f"Der Vermerk darf höchstens {NOTE_LIMIT} Zeichen lang sein.")
    return cleaned or None


def reasons(text: str, field_id: str) -> tuple[str, ...]:
    """A rejection's reasons, one a line; at least one."""
    found = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not found:
        raise FieldProblem(field_id, "Bitte nennen Sie mindestens einen Grund für die Ablehnung.")
    if len(found) > REASONS_LIMIT:
        raise FieldProblem(field_id, f"Bitte nennen Sie höchstens {REASONS_LIMIT} Gründe.")
    if any(len(reason) > REASON_LIMIT for reason in found):
        raise FieldProblem(field_id, f"Ein Grund darf höchstens {REASON_LIMIT} Zeichen lang sein.")
    return found
