"""The dog-tax register from approved registrations and deregistrations (pure).

A registration's form names the keeper, the dog and whether a direct-debit mandate was given;
the decision may classify the dog (``fee.rate_class``: a listed dangerous dog, an exempt
one). A deregistration names the dog by its tag number. The keeper is grouped by a pseudonym:
a hash of the town and of the keeper's name and address as written, normalised (case, spaces,
"Straße"/"Str."), so that the same keeper's dogs make one assessment without the register
holding who the keeper is.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.events.casework import FeeBasis

DECIDED_EXEMPTION = "befreit"
"""The exemption a clerk grants by decision (rate class ``befreit``), whatever its ground."""
DECIDED_EXEMPTION_LABEL = "laut Bescheid"


@dataclass(frozen=True)
class Registration:
    """What the register records of an approved registration."""

    keeper_key: str
    name: str
    breed: str
    kept_from: date
    dangerous: bool
    exemption: str | None
    direct_debit: bool


@dataclass(frozen=True)
class Deregistration:
    """What an approved deregistration says: which dog, until when, why."""

    tag_number: str
    kept_until: date
    reason: str


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"stra(ss|ß)e\b", "str", folded).replace("str.", "str")
    return re.sub(r"[\s.,\-]+", "", folded)


def keeper_key(town: str, keeper: Mapping[str, Any]) -> str:
    """The keeper's pseudonym in ``town``: equal for equal name and address as written."""
    address = keeper.get("address") or {}
    parts = [
        town,
        _plain(str(keeper.get("family_name", ""))),
        _plain(str(keeper.get("given_names", ""))),
        _plain(str(address.get("street", ""))),
        _plain(str(address.get("postcode", ""))),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def registration(town: str, form: Mapping[str, Any], fee: FeeBasis | None) -> Registration:
    """The register's record of an approved registration's form and decision."""
    dog = form["dog"]
    rate_class = fee.rate_class if fee else None
    return Registration(
        keeper_key=keeper_key(town, form["keeper"]),
        name=str(dog["name"]),
        breed=str(dog["breed"]),
        kept_from=date.fromisoformat(str(dog["kept_since"])),
        dangerous=bool(dog.get("dangerous_breed")) or rate_class == "gefaehrlicher_hund",
        exemption=DECIDED_EXEMPTION if rate_class == "befreit" else None,
        direct_debit=bool(form.get("direct_debit")) and form.get("mandate") is not None,
    )


def deregistration(form: Mapping[str, Any]) -> Deregistration:
    """The dog and the day its keeping ended, from an approved deregistration's form."""
    return Deregistration(
        tag_number="".join(str(form["tag_number"]).split()),
        kept_until=date.fromisoformat(str(form["ended_on"])),
        reason=str(form["reason"]),
    )
