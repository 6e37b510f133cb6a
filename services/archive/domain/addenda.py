"""What was added to a file after its filing, in words (pure): the addenda's lines as the
clerk's and the applicant's pages list them, from the verification's report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.events.billing import (
    FeeAmended,
    FeeAssessed,
    FeeNoticeCancelled,
    FeeNoticeIssued,
    HandedOverForEnforcement,
    LateSurchargeCharged,
    NoFeeDue,
    PaymentBooked,
    ReminderIssued,
)
from contracts.events.casework import CaseClosed, DecisionDispatched, DecisionDocumentIssued
from contracts.events.notify import (
    MessageBounced,
    MessageDeferred,
    MessageDelivered,
    MessageDeliveryFailed,
)

ADDENDUM_KINDS = {
    MessageDelivered.type_name: "Nachricht zugestellt",
    MessageDeliveryFailed.type_name: "Nachricht konnte nicht zugestellt werden",
    MessageBounced.type_name: "Nachricht als unzustellbar zurückgemeldet",
    MessageDeferred.type_name: "Zustellung einer Nachricht verzögert",
    PaymentBooked.type_name: "Zahlung gebucht",
    ReminderIssued.type_name: "Mahnung erstellt",
    LateSurchargeCharged.type_name: "Säumniszuschlag festgesetzt",
    HandedOverForEnforcement.type_name: "An die Vollstreckung abgegeben",
    FeeAssessed.type_name: "Gebühr festgesetzt",
    NoFeeDue.type_name: "Keine Gebühr erhoben",
    FeeAmended.type_name: "Gebühr geändert",
    FeeNoticeIssued.type_name: "Gebührenbescheid erstellt",
    FeeNoticeCancelled.type_name: "Gebührenbescheid aufgehoben",
    DecisionDocumentIssued.type_name: "Bescheid erstellt",
    DecisionDispatched.type_name: "Bescheid versandt",
    CaseClosed.type_name: "Vorgang abgeschlossen",
}
"""What arrives for a case after its filing, in words applicant and clerk read alike (else
the technical name)."""


def addendum_text(event_types: Sequence[str]) -> str:
    """An addendum's content in words: each kind of event once, in order."""
    kinds = dict.fromkeys(ADDENDUM_KINDS.get(name, name) for name in event_types)
    return "; ".join(kinds) or "ohne Inhalt"


@dataclass(frozen=True)
class Addendum:
    """One addendum of the file as the page lists it."""

    number: int
    filed_at: datetime
    text: str


def addenda(report: Mapping[str, Any] | None) -> list[Addendum]:
    """The addenda the verification listed, oldest first."""
    items = ((report or {}).get("addenda") or {}).get("items") or []
    return [
        Addendum(
            int(item["number"]),
            datetime.fromisoformat(item["filed_at"]),
            addendum_text(item.get("event_types") or []),
        )
        for item in items
    ]
