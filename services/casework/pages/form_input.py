"""What a desk form sends, read into the commands' terms (pure).

Every field of a desk form arrives as text, and a form that cannot be read must come back
to the clerk with the message at the field, exactly as a command's own refusal does. So the
routes take every field as optional text and read it here; ``InputProblem`` names the
field's id on the page and says in German what is wrong.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from contracts.calendar import GERMANY


class InputProblem(ValueError):
    """A form field the page cannot read; ``field_id`` is its id on the page."""

    def __init__(self, field_id: str, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id
        self.message = message


def lines(text: str) -> list[str]:
    """A text of several lines as its non-empty lines (conditions, reasons: one per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def expected_version(text: str) -> int | None:
    """The case version a form was made on (``None`` if it carries none)."""
    return int(text) if text.strip().isdigit() else None


def day(text: str, field_id: str, what: str, *, required: bool = True) -> date | None:
    """A date from a date field (``2026-11-30``; typed by hand also ``30.11.2026``)."""
    value = text.strip()
    if not value:
        if required:
            raise InputProblem(field_id, f"{what} fehlt.")
        return None
    try:
        if "." in value:
            return datetime.strptime(value, "%d.%m.%Y").date()
        return date.fromisoformat(value)
    except ValueError:
        raise InputProblem(field_id, f"{what} ist kein gültiges Datum (TT.MM.JJJJ).") from None


def decimal(text: str, field_id: str, what: str) -> Decimal | None:
    """A number as Germans write it (``120,50``; ``1.234,50``); empty is ``None``."""
    value = text.strip().replace(" ", "").replace("€", "")
    if not value:
        return None
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InputProblem(field_id, f"{what} ist keine Zahl.") from None
    if not number.is_finite():
        raise InputProblem(field_id, f"{what} ist keine Zahl.")
    return number


def whole(text: str, field_id: str, what: str) -> int | None:
    """A whole number; empty is ``None``."""
    value = text.strip()
    if not value:
        return None
    if not value.lstrip("-").isdigit():
        raise InputProblem(field_id, f"{what} muss eine ganze Zahl sein.")
    return int(value)


def moment(day_text: str, time_text: str, field_id: str) -> datetime:
    """A moment in German time (date, and time of day with or without seconds)."""
    found = day(day_text, field_id, "Das Datum")
    assert found is not None
    clock = time_text.strip() or "23:59:59"
    try:
        at = time.fromisoformat(clock)
    except ValueError:
        raise InputProblem(f"{field_id}-zeit", "Die Uhrzeit ist ungültig (HH:MM).") from None
    # A clerk who types 10:15:07 means "as it stood at 10:15:07", everything that happened in
    # that second included (events carry microseconds); likewise for a minute typed as 10:15.
    unit = timedelta(seconds=1) if clock.count(":") >= 2 else timedelta(minutes=1)
    if at.microsecond:
        unit = timedelta(microseconds=1)
    return datetime.combine(found, at, tzinfo=GERMANY) + unit - timedelta(microseconds=1)
