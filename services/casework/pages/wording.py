"""How the desk's pages word what the records hold (pure): moments, deadlines, who acted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from contracts.calendar import GERMANY
from services.casework.domain.fees import RATE_CLASS_LABELS as RATE_CLASS_LABELS

NEAR_DAYS = 3
"""Calendar days before a deadline from which the queue calls it near (besides the timers'
notice, which counts working days and may not have run yet)."""


@dataclass(frozen=True)
class DeadlineState:
    """A deadline's state in words (never by colour alone) and its CSS class."""

    text: str
    css: str


def deadline_state(deadline: date | None, today: date, notice: str | None) -> DeadlineState | None:
    """Passed, ending today, or near — or ``None`` when there is time (or no deadline)."""
    if deadline is None:
        return None
    if deadline < today or notice == "passed":
        return DeadlineState("Frist überschritten", "frist-ueberschritten")
    if deadline == today:
        return DeadlineState("Frist endet heute", "frist-nah")
    if notice == "near" or (deadline - today).days <= NEAR_DAYS:
        return DeadlineState("Frist läuft bald ab", "frist-nah")
    return None


def german_moment(moment: datetime | None, seconds: bool = False) -> str:
    """``30.11.2026, 14:05 Uhr`` in German time (naive moments are UTC)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(GERMANY)
    return f"{local:%d.%m.%Y, %H:%M:%S} Uhr" if seconds else f"{local:%d.%m.%Y, %H:%M} Uhr"


def actor_label(actor: str, town_name: Callable[[str], str]) -> str:
    """Who acted, from the log's ``actor``: a clerk's town, the applicant, a body, the system."""
    kind, _, rest = actor.partition(":")
    if actor == "system:configuration":
        return "Mitgliedsdatei (Grundeinstellung)"
    if kind == "clerk":
        town = rest.rpartition("@")[2]
        return f"Sachbearbeitung {town_name(town)}" if town else "Sachbearbeitung"
    return {
        "body": "Angehörte Stelle",
        "operator": "Betrieb",
        "applicant": "Antragsteller/in",
        "citizen": "Antragsteller/in",
    }.get(kind, "System")


OUTCOMES = {"approved": "Dem Antrag wurde stattgegeben.", "rejected": "Der Antrag wurde abgelehnt."}
"""A decision's outcome in a sentence."""


def euro(amount: object) -> str:
    """``120,00 €``."""
    return f"{amount:.2f} €".replace(".", ",") if amount is not None else ""
