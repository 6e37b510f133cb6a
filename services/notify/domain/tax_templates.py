"""The messages about a town's annual taxes, in German (pure): the dog-tax notice's mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.notify.domain.templates import NO_REPLY, Letterhead, Message, _day, _euro, _iban


@dataclass(frozen=True)
class TaxPayment:
    """What a tax notice's mail says about paying: the instalments, and how they are paid."""

    amount: Decimal
    instalments: tuple[tuple[date, Decimal], ...]
    cash_reference: str
    payee: str
    iban: str
    bic: str
    mandate_reference: str | None = None
    """Set: collected by SEPA direct debit, nothing to transfer."""


def dog_tax_notice(
    town: Letterhead, *, name: str, year: int, filename: str, payment: TaxPayment
) -> Message:
    """Hundesteuerbescheid: the notice is attached (a PDF); the instalments and how to pay them.

    With a direct debit the mail says the instalments are collected and asks for nothing;
    otherwise it repeats what a transfer needs and points to the GiroCode of the first
    instalment on the notice.
    """
    rows = "".join(f"  {_day(due)}: {_euro(amount)}\n" for due, amount in payment.instalments)
    if payment.mandate_reference:
        how = (
            "Die Raten werden zu den Fälligkeitstagen per SEPA-Lastschrift von Ihrem Konto"
            f" eingezogen (Mandatsreferenz {payment.mandate_reference}). Sie brauchen nichts"
            " zu überweisen.\n\n"
        )
    else:
        how = (
            f"Empfänger: {payment.payee}\nIBAN: {_iban(payment.iban)}\nBIC: {payment.bic}\n\n"
            "Bitte überweisen Sie jede Rate bis zu ihrem Fälligkeitstag und geben Sie das"
            " Kassenzeichen an. Der GiroCode (QR-Code) auf dem Bescheid enthält die erste Rate:"
            " Scannen Sie ihn mit Ihrer Banking-App.\n\n"
        )
    body = (
        f"Guten Tag {name},\n\n"
        f"anbei erhalten Sie den Hundesteuerbescheid für das Jahr {year} ({filename}).\n\n"
        f"Hundesteuer {year}: {_euro(payment.amount)}\n"
        f"Kassenzeichen: {payment.cash_reference}\n"
        f"Fälligkeiten:\n{rows}\n"
        f"{how}{NO_REPLY}{town.signature()}"
    )
    subject = f"Hundesteuerbescheid {year} – Kassenzeichen {payment.cash_reference}"
    return Message(subject=subject, body=body)
