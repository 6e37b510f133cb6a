"""From an assessed fee, its town and the business's request to the XRechnung's content (pure).

The same facts as the fee notice: the competent town's profile (name, address, e-mail, phone,
Leitweg-ID) and office, the account of its schedule, the assessment (Kassenzeichen, amount,
due date, lines) and the day of the decision; the buyer is who the business named in its
application's ``e_invoice`` part, not the form's addressee (an invoice address may differ).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.calendar import german_date
from contracts.events.billing import FeeAssessed
from contracts.fee_schedules import FeeLine, TownAccount
from contracts.procedures import procedure_title
from contracts.procedures.e_invoice import EInvoiceRequest
from services.billing.domain.money import euro
from services.billing.einvoices.outgoing import Account, Address, Buyer, FeeInvoice, Line, Seller

DEFAULT_OFFICE = "Stadtkasse"


def fee_invoice(
    assessed: FeeAssessed,
    *,
    profile: dict[str, Any],
    office: str | None,
    account: TownAccount,
    request: EInvoiceRequest,
    case_number: str,
    decided_at: datetime,
    issued_at: datetime,
) -> FeeInvoice:
    """The XRechnung of a fee the business asked for (see ``outgoing.fee_invoice_xml``)."""
    title = procedure_title(assessed.procedure)
    return FeeInvoice(
        cash_reference=assessed.cash_reference,
        issue_date=german_date(issued_at),
        due_date=assessed.due_date,
        service_date=german_date(decided_at),
        amount=assessed.amount,
        currency=assessed.currency,
        note=(
            f"Gebühr für „{title}“, Vorgangsnummer {case_number}. Diese Rechnung gibt den"
            " Gebührenbescheid gleichen Datums wieder; maßgeblich ist der Bescheid."
        ),
        payment_terms=(
            f"Zahlbar ohne Abzug bis zum {assessed.due_date:%d.%m.%Y} auf das angegebene Konto"
            f" unter Angabe des Kassenzeichens {assessed.cash_reference}."
        ),
        seller=_seller(profile, office),
        buyer=Buyer(
            name=request.buyer_name,
            address=Address(
                street=request.buyer_address.street,
                postcode=request.buyer_address.postcode,
                city=request.buyer_address.city,
            ),
            email=request.email,
            reference=request.buyer_reference,
        ),
        account=Account(holder=account.holder, iban=account.iban, bic=account.bic),
        lines=invoice_lines(assessed, title),
    )


def invoice_lines(assessed: FeeAssessed, title: str) -> tuple[Line, ...]:
    """The assessment's lines (an older record without lines: one line of the amount)."""
    if not assessed.lines:
        return (Line(name=f"Gebühr: {title}", amount=assessed.amount),)
    return tuple(_line(line) for line in assessed.lines)


def _line(line: FeeLine) -> Line:
    quantity = f"{line.quantity.normalize():f}".replace(".", ",")
    return Line(
        name=line.what,
        description=f"{quantity} {line.unit} zu je {euro(line.rate)}",
        amount=line.subtotal,
    )


def _seller(profile: dict[str, Any], office: str | None) -> Seller:
    address = profile["address"]
    return Seller(
        name=profile["official_name"],
        leitweg_id=profile["leitweg_id"],
        address=Address(
            street=address["street"], postcode=address["postcode"], city=address["city"]
        ),
        email=profile["email"],
        contact_name=office or DEFAULT_OFFICE,
        phone=profile["phone"],
    )
