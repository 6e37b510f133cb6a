"""The German sentences a clerk reads on a clarification item or a skipped entry."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from services.billing.statements.amounts import euro

RETURN_REASONS = {
    "AC01": "IBAN fehlerhaft",
    "AC04": "Konto erloschen",
    "AC06": "Konto gesperrt",
    "AG01": "Lastschrift auf diesem Konto nicht erlaubt",
    "AM04": "Deckung unzureichend",
    "AM05": "Doppelte Zahlung",
    "CUST": "auf Wunsch des Kunden",
    "DUPL": "Doppelte Zahlung",
    "FOCR": "Rückruf auf Wunsch des Zahlers",
    "MD01": "kein gültiges Mandat",
    "MD06": "Rückgabe auf Verlangen des Zahlers",
    "MS02": "vom Zahler ohne Angabe von Gründen abgelehnt",
    "MS03": "ohne Angabe von Gründen",
    "SL01": "besondere Dienstleistung der Bank des Zahlers",
}
"""SEPA reason codes (ISO ExternalReturnReason1Code) as the Deutsche Kreditwirtschaft words them."""


def listed(references: Sequence[str]) -> str:
    """``a``, ``a und b``, ``a, b und c``."""
    if len(references) <= 1:
        return "".join(references)
    return f"{', '.join(references[:-1])} und {references[-1]}"


def kassenzeichen(references: Sequence[str], *, first: bool = False) -> str:
    """``das Kassenzeichen a`` or ``die Kassenzeichen a und b`` (``Das …`` ``first``)."""
    article = "das" if len(references) == 1 else "die"
    noun = "Kassenzeichen"
    return f"{article.title() if first else article} {noun} {listed(references)}"


def return_reason(code: str | None) -> str:
    """`` (Grund AC04: Konto erloschen)``, or nothing when no code was given."""
    if code is None:
        return ""
    text = RETURN_REASONS.get(code)
    return f" (Grund {code}: {text})" if text else f" (Grund {code})"


def overpaid(rest: Decimal, paid: Sequence[str], unknown: Sequence[str]) -> str:
    """Money left after every named claim was paid in full."""
    text = f"Überzahlung: {euro(rest)} mehr als für {listed(paid)} offen war."
    if unknown:
        text += f" Außerdem genannt, aber keiner Forderung zugeordnet: {listed(unknown)}."
    return text


def settled(references: Sequence[str]) -> str:
    """Every named claim was paid already."""
    claims = (
        f"Die Forderung mit dem Kassenzeichen {references[0]} ist"
        if len(references) == 1
        else f"Die Forderungen mit den Kassenzeichen {listed(references)} sind"
    )
    return (
        f"{claims} bereits beglichen; der Betrag ist zu erstatten oder einer anderen Forderung"
        " zuzuordnen."
    )


def other_town(references: Sequence[str], towns: Sequence[str], town: str) -> str:
    """Named claims are another town's: the money came to the wrong account."""
    verb = "gehört" if len(references) == 1 else "gehören"
    return (
        f"{kassenzeichen(references, first=True)} {verb} zu Forderungen der Gemeinde"
        f" {listed(towns)}; das Geld ging auf dem Konto der Gemeinde {town} ein."
    )


def unknown(references: Sequence[str]) -> str:
    """Kassenzeichen that no claim has."""
    verb = "gehört" if len(references) == 1 else "gehören"
    return f"{kassenzeichen(references, first=True)} {verb} zu keiner bekannten Forderung."


def ambiguous(amount: Decimal, count: int) -> str:
    """No Kassenzeichen, and several open claims of that amount."""
    return (
        f"Kein Kassenzeichen im Verwendungszweck; {count} offene Forderungen über"
        f" {euro(amount)} kommen in Frage."
    )


def no_reference(amount: Decimal) -> str:
    """No Kassenzeichen, and no open claim of that amount."""
    return f"Kein Kassenzeichen im Verwendungszweck und keine offene Forderung über {euro(amount)}."


def reversal_unmatched(rest: Decimal, reason: str | None, references: Sequence[str]) -> str:
    """A reversal nothing booked can take."""
    found = (
        f"für {listed(references)} ist nicht so viel gebucht"
        if references
        else "im Verwendungszweck steht kein bekanntes Kassenzeichen"
    )
    return (
        f"Rückbuchung über {euro(rest)}{return_reason(reason)}: {found}. Bitte der ursprünglichen"
        " Zahlung zuordnen."
    )
