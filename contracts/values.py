"""Value objects that several services' events share."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo

from contracts.calendar import today

STORED: dict[str, Any] = {"stored": True}
"""Validation context for reading a stored form: the submission's checks are history.

A form is checked in full when it is submitted — plausibility against today's date, rules
added since — and read back later, by every service and for years, only for its structure:
a road-works period that was in the future when applied for is in the past a month later,
and a rule added in a later release must not make an old application unreadable.
"""


def is_stored(info: ValidationInfo) -> bool:
    """Whether a stored form is being read (then only its structure is checked)."""
    return bool(info.context and info.context.get("stored"))


def submitted_on(info: ValidationInfo) -> date:
    """The day a submission is checked against (the context may fix it; tests do)."""
    day = (info.context or {}).get("today")
    return day if isinstance(day, date) else today()


Postcode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")
NAME_PUNCTUATION = frozenset(" .,-'’()")
_ADDRESS_LIKE = re.compile(r"[.:/@][^\s.,]|www", re.IGNORECASE)


def _one_line(value: str, info: ValidationInfo) -> str:
    """Names, addresses and titles end up in mail headers and greetings: one line only."""
    if not is_stored(info) and any(c in LINE_BREAKS for c in value):
        raise ValueError("Bitte geben Sie diese Angabe ohne Zeilenumbruch an.")
    return value


def _a_name(value: str, info: ValidationInfo) -> str:
    """A person's name: letters (any script), spaces and the punctuation names have.

    No digits, no ``@``, ``/`` or ``:``, no dot directly before a letter: a "name" such as
    ``www.example.de`` would otherwise greet its victim in an official mail of the town.
    """
    allowed = all(unicodedata.category(c)[0] in ("L", "M") or c in NAME_PUNCTUATION for c in value)
    if not allowed or _ADDRESS_LIKE.search(value):
        raise ValueError("Bitte geben Sie nur Buchstaben, Leerzeichen und die Zeichen . , - ' an.")
    return value


SingleLine = Annotated[NonEmpty, AfterValidator(_one_line)]
"""Non-empty text of one line (no line breaks of any kind)."""
PersonName = Annotated[SingleLine, AfterValidator(_a_name)]
"""A person's name as it may appear in a letter's greeting."""


class PostalAddress(BaseModel):
    """A German postal address."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    street: SingleLine = Field(description="Straße und Hausnummer")
    postcode: Postcode = Field(description="Postleitzahl")
    city: SingleLine = Field(description="Ort")


class Contact(BaseModel):
    """Whom to write to about an application (personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: SingleLine
    email: SingleLine
