"""The messages about a town's incoming e-invoices, in German (pure).

``invoice_rejection`` goes to the supplier, at the contact address the invoice gives: which
invoice, that it will not be paid, each reason, and what to do (send a corrected invoice, not
the same one again — it would be a duplicate). ``invoice_deadline_near`` goes to the town's
desk address: an invoice's discount date or due date is near.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.notify.domain.templates import NO_REPLY, Letterhead, Message, _day, _euro

OFFICE = "Rechnungseingang"
"""How the town signs mails about invoices."""


def invoice_rejection(
    town: Letterhead,
    *,
    seller_name: str,
    invoice_number: str,
    reasons: list[str],
) -> Message:
    """Rechnung zurückgewiesen: the supplier's invoice is not paid, with every reason."""
    listed = "".join(f"- {reason}\n" for reason in reasons)
    body = (
        f"Guten Tag,\n\n"
        f"Ihre Rechnung Nr. {invoice_number} ({seller_name}) an die {town.official_name} haben"
        " wir geprüft und weisen sie zurück. Sie wird nicht bezahlt.\n\n"
        f"Gründe:\n{listed}\n"
        "Bitte senden Sie uns eine berichtigte Rechnung mit neuer Rechnungsnummer als"
        " E-Rechnung (XRechnung oder ZUGFeRD). Eine unveränderte Rechnung wird als Doppel"
        " erkannt und nicht bearbeitet.\n\n"
        f"{NO_REPLY}{town.signature()}"
    )
    subject = f"Rechnung {invoice_number} zurückgewiesen – {town.official_name}"
    return Message(subject=subject, body=body)


KIND_TEXT = {
    "discount": ("Skontofrist", "Bei Zahlung bis zu diesem Tag sind zu überweisen"),
    "due": ("Fälligkeit", "Fälliger Betrag"),
}


def invoice_deadline_near(
    town: Letterhead,
    *,
    kind: str,
    deadline: date,
    amount: Decimal,
    invoice_number: str,
    seller_name: str,
) -> Message:
    """Frist naht: an open invoice's discount date or due date (to the town's desk)."""
    title, amount_text = KIND_TEXT[kind]
    body = (
        "Guten Tag,\n\n"
        f"für die Eingangsrechnung Nr. {invoice_number} von {seller_name} endet die {title}"
        f" am {_day(deadline)}.\n"
        f"{amount_text}: {_euro(amount)}\n\n"
        "Die Rechnung ist noch nicht zur Zahlung freigegeben. Bitte prüfen Sie sie rechtzeitig"
        " (sachliche Richtigkeit, Anordnung, bei Bedarf zweite Freigabe).\n\n"
        f"{NO_REPLY}{town.signature()}"
    )
    subject = f"{title} am {_day(deadline)}: Rechnung {invoice_number} ({seller_name})"
    return Message(subject=subject, body=body)
