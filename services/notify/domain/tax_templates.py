"""The messages about a town's annual taxes, in German (pure): the dog-tax notice's mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.notify.domain.templates import Letterhead, Message, render


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
    return render("dog_tax_notice", town, name=name, year=year, filename=filename, payment=payment)
