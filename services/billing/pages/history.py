"""An invoice's history as the clerks' page lists it (pure): what happened, when, who —
and, for an act of a service-centre clerk, in whose name („im Auftrag von Wurzen“)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.base import DomainEvent
from runtime.codec import Envelope
from services.billing.pages.wording import CHANNELS, moment

LABELS = {
    "billing.IncomingInvoiceReceived": "Rechnung eingegangen und geprüft",
    "billing.InvoiceFactuallyApproved": "Sachlich richtig gezeichnet",
    "billing.InvoicePaymentOrdered": "Zahlung angeordnet",
    "billing.InvoiceCountersigned": "Zweite Freigabe erteilt",
    "billing.IncomingInvoiceRejected": "Rechnung abgelehnt",
    "billing.InvoiceReleasedForPayment": "Zur Zahlung freigegeben (Zahlungsdatei)",
    "billing.InvoiceDeadlineNear": "Frist angekündigt",
}
"""German names of the invoice's events; another event shows by its type."""


@dataclass(frozen=True)
class HistoryRow:
    """One entry of the history."""

    when: str
    what: str
    who: str
    on_behalf_of: str
    detail: str
    iso: str


def _field(event: DomainEvent, *names: str) -> Any:
    """The first of ``names`` the event, or its approval ``step``, gives."""
    for holder in (event, getattr(event, "step", None)):
        for name in names:
            value = getattr(holder, name, None)
            if value:
                return value
    return None


def who_acted(envelope: Envelope[DomainEvent], town_name: Callable[[str], str]) -> str:
    """The acting person by name where the event names them, else by kind and town."""
    named = _field(envelope.event, "by_name", "released_by")
    if named:
        return str(named)
    kind, _, rest = envelope.meta.actor.partition(":")
    if kind == "clerk":
        town = rest.rpartition("@")[2]
        return f"Sachbearbeitung {town_name(town)}" if town else "Sachbearbeitung"
    if kind == "operator":
        return "Betrieb"
    return "System"


def detail_of(event: DomainEvent) -> str:
    """What the event adds in a line: the channel it came by, the reasons of a rejection."""
    channel = getattr(event, "channel", None)
    if isinstance(channel, str) and channel in CHANNELS:
        return f"über {CHANNELS[channel]}"
    reasons = _field(event, "reasons")
    if isinstance(reasons, list | tuple):
        return "Gründe: " + "; ".join(str(getattr(r, "message", r)) for r in reasons)
    note = _field(event, "note")
    return f"Vermerk: {note}" if note else ""


def history_rows(
    envelopes: Sequence[Envelope[DomainEvent]], town_name: Callable[[str], str]
) -> list[HistoryRow]:
    """The events in the order they happened, worded."""
    rows = []
    for envelope in envelopes:
        event, meta = envelope.event, envelope.meta
        behalf = _field(event, "on_behalf_of")
        rows.append(
            HistoryRow(
                when=moment(meta.occurred_at),
                what=LABELS.get(meta.type, meta.type),
                who=who_acted(envelope, town_name),
                on_behalf_of=town_name(str(behalf)) if behalf else "",
                detail=detail_of(event),
                iso=meta.occurred_at.isoformat(),
            )
        )
    return rows
