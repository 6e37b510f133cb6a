"""A business's wish to get its fee invoice as an XRechnung, the optional part of a form.

A business that pays a town's fee may need an electronic invoice for its bookkeeping (a public
buyer even must have one, addressed by its Leitweg-ID). The fee notice (the Bescheid) goes out
all the same; the XRechnung is an invoice beside it. EN 16931 needs what a notice does not ask:
a buyer reference (BT-10, which XRechnung makes mandatory), the buyer's name and postal address
(BG-7, BG-8) and its electronic address (BT-49). The business states them here, because the
invoice address of a company need not be its establishment's nor its contact person's.

Adding fields to a form is a new form version (a reader of the older version refuses what it
does not know), so the procedures that businesses apply for each have a version with
``e_invoice_wanted`` and ``e_invoice`` added, the earlier versions unchanged.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.procedures.base import Condition, FormModel
from contracts.values import EmailAddress, PostalAddress, SingleLine


class EInvoiceRequest(FormModel):
    """Where and how the business wants its fee invoice as an XRechnung."""

    model_config = ConfigDict(title="E-Rechnung (XRechnung)")

    buyer_name: SingleLine = Field(title="Rechnungsempfänger (Firma)", max_length=200)
    buyer_address: PostalAddress = Field(title="Rechnungsanschrift")
    buyer_reference: SingleLine = Field(
        title="Käuferreferenz (Leitweg-ID oder Bestellzeichen)",
        description=(
            "Eine öffentliche Stelle gibt ihre Leitweg-ID an, ein Unternehmen sein Bestell-"
            " oder Buchungszeichen; sie steht auf der Rechnung als Käuferreferenz."
        ),
        max_length=100,
    )
    email: EmailAddress = Field(
        title="E-Mail-Adresse für die E-Rechnung",
        description="Die XRechnung wird dem Gebührenbescheid beigefügt und an diese Adresse"
        " gesandt.",
    )


E_INVOICE_CONDITION = Condition("e_invoice", when="e_invoice_wanted", equals=True)
"""The request is asked (and required) when the box is ticked."""

WANTED_TITLE = "Ich möchte die Gebührenrechnung zusätzlich als E-Rechnung (XRechnung) erhalten"
WANTED_HELP = (
    "Für Unternehmen und öffentliche Stellen: die Rechnung im Format XRechnung (UBL) zur"
    " Verbuchung. Der Gebührenbescheid bleibt maßgeblich."
)


def wanted_field() -> Any:
    """The box a business ticks (each form version gets its own field)."""
    return Field(default=False, title=WANTED_TITLE, description=WANTED_HELP)


def request_field() -> Any:
    """The request itself, asked when the box is ticked."""
    return Field(default=None, title="E-Rechnung (XRechnung)")


def requested_e_invoice(form: BaseModel) -> EInvoiceRequest | None:
    """The XRechnung a form asks for (``None``: a form without the option, or not ticked)."""
    request = getattr(form, "e_invoice", None)
    if getattr(form, "e_invoice_wanted", False) and isinstance(request, EInvoiceRequest):
        return request
    return None
