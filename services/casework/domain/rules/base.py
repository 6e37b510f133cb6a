"""What every procedure's rules share: the facts besides the form, and a procedure's rule set.

A rule is a named, pure function of what it reads and the ``Facts``; it returns a
``RuleOutcome`` whose name the case records and whose German reason a clerk (and the
applicant) reads. The reasons name no person: they are stored in the log unencrypted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from contracts.events.casework import RuleOutcome


@dataclass(frozen=True)
class Facts:
    """What the rules look at besides the form: the day, and what the town has said."""

    today: date
    town_postcodes: frozenset[str]
    town_name: str
    parking_zones: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """The town's resident parking zones: streets (normalised, ``street_key``) by zone name."""
    plate_applied_for: bool = False
    """Another resident parking application of this town names the same vehicle (a year)."""


Evaluate = Callable[[int, dict[str, Any], Facts], list[RuleOutcome]]
"""Evaluates a stored form of a given version against the facts."""


@dataclass(frozen=True)
class RuleSet:
    """A procedure's rules, and whether passing them all may decide the case (§35a VwVfG).

    ``automatable`` says that the procedure's rules are complete enough for an automated
    decision; whether a town lets it happen without a clerk is the town's configuration.
    Procedures a clerk always decides have rules that only inform (or none).
    """

    automatable: bool
    evaluate: Evaluate


def no_rules(version: int, data: dict[str, Any], facts: Facts) -> list[RuleOutcome]:
    """A procedure a clerk decides from the application alone."""
    return []


CLERK_DECIDES = RuleSet(automatable=False, evaluate=no_rules)


def street_key(street: str) -> str:
    """A street's name as zones list it: lower case, „Straße“ as „str“, without house number.

    ``"Jacobsplatz 5"`` and ``"jacobsplatz 5a"`` both give ``"jacobsplatz"``;
    ``"Badergraben 12 b"`` gives ``"badergraben"``; ``"Straße des Friedens 3"`` gives
    ``"str des friedens"``.
    """
    words = street.lower().replace("straße", "str").replace("strasse", "str").split()
    while words and any(ch.isdigit() for ch in words[-1]):
        words.pop()
    while words and len(words[-1]) == 1 and words[-1].isalpha() and len(words) > 1:
        words.pop()  # "12 b": the letter of a house number
        while words and any(ch.isdigit() for ch in words[-1]):
            words.pop()
    return " ".join(word.rstrip(".") for word in words)
