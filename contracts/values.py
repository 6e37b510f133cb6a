"""Value objects that several services' events share."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

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


def _without_docstring(schema: dict[str, Any]) -> None:
    """Forms render titles and descriptions to citizens; a docstring is for programmers."""
    schema.pop("description", None)


class PostalAddress(BaseModel):
    """A German postal address."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", title="Anschrift", json_schema_extra=_without_docstring
    )

    street: SingleLine = Field(title="Straße und Hausnummer", description="Straße und Hausnummer")
    postcode: Postcode = Field(title="Postleitzahl", description="Postleitzahl", examples=["04808"])
    city: SingleLine = Field(title="Ort", description="Ort")


class Contact(BaseModel):
    """Whom to write to about an application (personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: SingleLine
    email: SingleLine


def _an_email_address(value: str) -> str:
    # A real parser, not a pattern: an address that passed a pattern but not the mail
    # library once reached notify's senders.
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(
            "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de."
        ) from None
    return value


EmailAddress = Annotated[
    SingleLine,
    AfterValidator(_an_email_address),
    Field(json_schema_extra={"format": "email"}, examples=["name@beispiel.de"]),
]
"""An e-mail address the mail library accepts (checked as written, no DNS look-up)."""

_PLATE = re.compile(
    r"^(?P<district>[A-ZÄÖÜ]{1,3})[- ](?P<letters>[A-Z]{1,2})[- ]?(?P<digits>[1-9][0-9]{0,3})"
    r"(?P<suffix>[EH]?)$"
)
PLATE_MAX_CHARACTERS = 8
"""District, letters and digits together (the E or H suffix not counted), FZV Anlage 4."""


def _a_plate(value: str) -> str:
    """A German registration number in its written form: ``L-AB 1234``, ``MTL-X 12E``.

    The district sign (1–3 letters, umlauts allowed: ``LÖ``), a hyphen or space, one or two
    letters, one to four digits without a leading zero, optionally ``E`` (electric) or ``H``
    (historic). Spaces and case are normalised; the result is ``DISTRICT-LETTERS DIGITS``.
    """
    compact = " ".join(value.upper().split())
    found = _PLATE.match(compact)
    if found is None or sum(len(found[k]) for k in ("district", "letters", "digits")) > (
        PLATE_MAX_CHARACTERS
    ):
        raise ValueError(
            "Bitte geben Sie das Kennzeichen so an, wie es am Fahrzeug steht, z. B. „L-AB 1234“."
        )
    return f"{found['district']}-{found['letters']} {found['digits']}{found['suffix']}"


Plate = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=20),
    AfterValidator(_a_plate),
    Field(examples=["L-AB 1234"]),
]
"""A German vehicle registration number (Kennzeichen), normalised to ``L-AB 1234``."""


def _an_iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except SchwiftyException:
        raise ValueError("Bitte prüfen Sie die IBAN (z. B. DE89 3704 0044 0532 0130 00).") from None


def _a_bic(value: str) -> str:
    try:
        return BIC(value).compact
    except SchwiftyException:
        raise ValueError(
            "Bitte prüfen Sie die BIC (8 oder 11 Zeichen, z. B. COBADEFFXXX)."
        ) from None


Iban = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=42),
    AfterValidator(_an_iban),
    Field(examples=["DE89 3704 0044 0532 0130 00"]),
]
"""An IBAN whose structure and check digits schwifty accepts, stored compact (no spaces)."""
Bic = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=14),
    AfterValidator(_a_bic),
    Field(examples=["COBADEFFXXX"]),
]
"""A BIC (8 or 11 characters, a known country), stored compact; its existence is not checked."""
