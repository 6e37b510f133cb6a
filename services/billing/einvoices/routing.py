"""Routing an incoming invoice to its member town by the buyer reference (BT-10), pure.

Public buyers in Germany are addressed by their Leitweg-ID; XRechnung carries it as the buyer
reference. The member files name each town's (``[town] leitweg_id``) and, for invoices by
e-mail, the town's invoice address (``[billing.einvoices] invoice_address``). Routing is a
verdict of its own, apart from the check: a perfectly valid invoice for a buyer who is not a
member (every official test invoice, for one) is not ours and is refused with that reason.

A Leitweg-ID is compared without surrounding spaces and case (its check digits are digits,
its parts upper case by definition; suppliers type them in whatever case). Its form and check
digits are judged by ``leitweg.leitweg_problem`` (the check's module), so both verdicts read
the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.billing.einvoices.leitweg import leitweg_problem

RULE_MISSING = "ROUTING-01"
"""No buyer reference at all."""
RULE_MALFORMED = "ROUTING-02"
"""A buyer reference that is no Leitweg-ID (form or check digits)."""
RULE_UNKNOWN = "ROUTING-03"
"""A valid Leitweg-ID of no member town."""


@dataclass(frozen=True)
class MemberTown:
    """What routing knows of a member town."""

    ags: str
    name: str
    leitweg_id: str
    invoice_address: str | None = None


@dataclass(frozen=True)
class Routed:
    """The invoice belongs to ``town``."""

    town: MemberTown


@dataclass(frozen=True)
class NotRouted:
    """No member town's: the rule that said so, and why (German)."""

    rule_id: str
    reason: str


RoutingVerdict = Routed | NotRouted


def normalised(leitweg_id: str) -> str:
    """A Leitweg-ID as compared: no surrounding spaces, upper case."""
    return leitweg_id.strip().upper()


def member_towns(members: Iterable[Mapping[str, Any]]) -> tuple[MemberTown, ...]:
    """The towns of parsed member files that have a Leitweg-ID (others receive no invoices)."""
    towns = []
    for member in members:
        town = member["town"]
        leitweg_id = town.get("leitweg_id")
        if not leitweg_id:
            continue
        address = member.get("billing", {}).get("einvoices", {}).get("invoice_address")
        towns.append(
            MemberTown(
                ags=town["ags"],
                name=town.get("name", town["ags"]),
                leitweg_id=normalised(leitweg_id),
                invoice_address=address.strip().lower() if address else None,
            )
        )
    return tuple(towns)


def route(buyer_reference: str | None, towns: Sequence[MemberTown]) -> RoutingVerdict:
    """The town whose Leitweg-ID the buyer reference is, or why there is none."""
    if buyer_reference is None or not buyer_reference.strip():
        return NotRouted(
            RULE_MISSING,
            "Die Rechnung nennt keine Käuferreferenz (BT-10). Bitte geben Sie dort die"
            " Leitweg-ID der Gemeinde an, an die die Rechnung gerichtet ist.",
        )
    wanted = normalised(buyer_reference)
    problem = leitweg_problem(wanted)
    if problem is not None:
        return NotRouted(
            RULE_MALFORMED,
            f"Die Käuferreferenz (BT-10) ist keine gültige Leitweg-ID. {problem}",
        )
    for town in towns:
        if town.leitweg_id == wanted:
            return Routed(town)
    return NotRouted(
        RULE_UNKNOWN,
        f"Die Leitweg-ID „{wanted}“ gehört zu keiner Gemeinde, die ihre Rechnungen hier"
        " empfängt. Bitte senden Sie die Rechnung an den Rechnungsempfänger, dem diese"
        " Leitweg-ID gehört.",
    )


def town_of_address(address: str, towns: Sequence[MemberTown]) -> MemberTown | None:
    """The town whose invoice address ``address`` is (case-insensitive), if any."""
    wanted = address.strip().lower()
    return next((town for town in towns if town.invoice_address == wanted), None)


def address_note(mailed_to: MemberTown | None, routed: MemberTown) -> str | None:
    """A note when an invoice mailed to one town's address names another town's Leitweg-ID."""
    if mailed_to is None or mailed_to.ags == routed.ags:
        return None
    return (
        f"Die Rechnung ging an die Rechnungsadresse von {mailed_to.name}, nennt aber die"
        f" Leitweg-ID von {routed.name}; sie wurde nach der Leitweg-ID {routed.name}"
        " zugeordnet."
    )
