"""Events of billing's incoming e-invoices (XRechnung, ZUGFeRD): received and routed, or refused.

An invoice that arrives (by API, upload page or e-mail) and passes the input step (no hostile
XML, not too large, an XML or a PDF with an XML inside) is checked (validation) and routed by
its buyer reference, the Leitweg-ID (routing). The two are separate verdicts:

- both pass: ``IncomingInvoiceReceived`` on the owning town's ``incoming-invoice`` aggregate,
  with the original document (sealed in the object store under the invoice's own data key),
  the data read and the check's findings (warnings only); a duplicate of an earlier one (same
  seller, invoice number and amount) is received too, with ``duplicate_of``, and is never
  queued for payment;
- either fails: ``IncomingInvoiceRefused`` with both verdicts and every reason. Nothing of the
  invoice is stored then but its checksum and the reasons (it is not the town's to keep); an
  invoice no member town's Leitweg-ID names is recorded under ``NO_TOWN``.

An input refusal (hostile, oversized, not XML, a PDF without XML) records nothing at all.

Personal data (crypto-shredding): the seller's contact details and the account to pay (IBAN,
account holder) may name a person (a sole trader); they are sealed with the invoice's data key
``einvoice.<invoice_id>`` (``data_key_of``), which erasure can destroy without touching the
rest of the log.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import PERSONAL, DomainEvent
from contracts.envelope import Ags
from contracts.events.casework import DocumentRef

NO_TOWN = "00000000"
"""The tenant of refusals that no member town's Leitweg-ID names (no municipality has this
AGS: real ones begin with their Land, 01–16)."""

Channel = Literal["api", "upload", "email"]
FindingSeverity = Literal["fatal", "warning", "information"]


def data_key_of(invoice_id: UUID) -> str:
    """The data key of one incoming invoice (its personal fields and its stored documents)."""
    return f"einvoice.{invoice_id}"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InvoiceFinding(_Part):
    """One rule the check or the routing reported: its id, severity, German message, where."""

    step: str = Field(description="input, schema, en16931, xrechnung, arithmetic or routing")
    rule_id: str
    severity: FindingSeverity
    message: str
    location: str | None = None


class SellerContact(_Part):
    """The seller's address and contact as the invoice gives them (personal for a sole trader)."""

    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None


class PaymentAccount(_Part):
    """Where the invoice asks to be paid (BG-17)."""

    iban: str
    bic: str | None = None


class VatSubtotal(_Part):
    """One VAT category's subtotal (BG-23)."""

    category: str
    rate: Decimal | None = None
    taxable_amount: Decimal
    tax_amount: Decimal


class InvoiceLineRead(_Part):
    """One invoice line (BG-25) as read."""

    line_id: str
    name: str
    quantity: Decimal
    unit_code: str | None = None
    net_amount: Decimal
    vat_category: str | None = None
    vat_rate: Decimal | None = None


class Discount(_Part):
    """Skonto: percent within days (until a day, where the issue date gives one)."""

    days: int
    percent: Decimal
    base_amount: Decimal | None = None
    until: date | None = None


class IncomingInvoiceReceived(DomainEvent):
    """An e-invoice was received, passed the check and was routed to its town."""

    type_name: ClassVar[str] = "billing.IncomingInvoiceReceived"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    channel: Channel
    town: Ags = Field(description="The member town the Leitweg-ID names: the invoice's owner")
    leitweg_id: str = Field(description="The buyer reference (BT-10) as routed")
    received_at: datetime
    original: DocumentRef = Field(description="The document as it came, sealed, unchanged")
    report: DocumentRef = Field(description="The check's report (HTML), sealed")
    kind: Literal["xml", "pdf"]
    syntax: Literal["ubl-invoice", "ubl-creditnote", "cii"]
    type_code: str = Field(description="BT-3, e.g. 380 invoice, 381 credit note")
    invoice_number: str = Field(description="BT-1")
    issue_date: date
    currency: str
    order_reference: str | None = None
    seller_name: str
    seller_vat_id: str | None = None
    seller_tax_number: str | None = None
    seller_contact: Annotated[SellerContact | None, PERSONAL] = None
    buyer_name: str
    lines: list[InvoiceLineRead] = Field(default_factory=list)
    vat_breakdown: list[VatSubtotal] = Field(default_factory=list)
    line_total: Decimal
    allowance_total: Decimal = Decimal("0")
    charge_total: Decimal = Decimal("0")
    tax_exclusive: Decimal
    tax_total: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal = Decimal("0")
    payable: Decimal = Field(description="BT-115, the amount to pay")
    due_date: date | None = None
    payment_terms: str | None = None
    discount: Discount | None = None
    payment_account: Annotated[PaymentAccount | None, PERSONAL] = None
    rules: str = Field(description="The rule versions the check applied")
    findings: list[InvoiceFinding] = Field(
        default_factory=list, description="What the check noted without rejecting (warnings)"
    )
    duplicate_of: UUID | None = Field(
        default=None,
        description="An earlier invoice of the same seller, number and amount: this one is"
        " kept as evidence and never queued for payment",
    )
    mailed_to: str | None = Field(default=None, description="The invoice address it was sent to")
    routing_note: str | None = Field(
        default=None, description="German: the address was another town's than the Leitweg-ID's"
    )


class IncomingInvoiceRefused(DomainEvent):
    """An e-invoice was read but rejected: by the check, by routing, or both."""

    type_name: ClassVar[str] = "billing.IncomingInvoiceRefused"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    channel: Channel
    town: Ags = Field(description=f"The town routed to; {NO_TOWN} if no member town's")
    received_at: datetime
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    kind: Literal["xml", "pdf"]
    buyer_reference: str | None = Field(default=None, description="BT-10 as the invoice gives it")
    invoice_number: str | None = None
    validation: Literal["accepted", "rejected"]
    routing: Literal["routed", "rejected"]
    rules: str
    reasons: list[InvoiceFinding] = Field(description="Every fatal finding, then routing's")
    mailed_to: str | None = None


# --- Approval and payment (issue 11, "Approval, the German way" and "Payment release") ------
#
# After receipt an invoice is approved the German way, each step an event on its
# ``incoming-invoice`` aggregate: the ordering office confirms it is factually correct
# (sachlich richtig), an entitled person other than that checker orders the payment
# (Anordnung), and above the town's threshold a third person countersigns (four eyes). A clerk
# of a town the owner delegated its invoice processing to (casework's ``eingangsrechnung``
# agreement, the service centre) acts in the owner's name: ``on_behalf_of`` names the owner.
# An invoice may instead be rejected back to the supplier, with reasons. The treasury's
# payment run puts every ordered invoice into one SEPA credit-transfer file (pain.001) of the
# town: ``CreditTransferFileCreated`` on the file's own aggregate, ``InvoiceReleasedForPayment``
# on each invoice, once.


class ApprovalStep(_Part):
    """Who took a step and for whom: the clerk, their town, and the owner if another."""

    by: str = Field(description="The clerk's subject at the identity provider (stable)")
    by_name: str = Field(description="The clerk's name as the token gave it")
    by_town: Ags = Field(description="The town the clerk works for")
    on_behalf_of: Ags | None = Field(
        default=None,
        description="The owning town, when the clerk acts for it by delegation (im Auftrag)",
    )
    at: datetime
    note: str | None = None


class InvoiceFactuallyApproved(DomainEvent):
    """Sachlich richtig: the ordering office confirmed goods or services and price."""

    type_name: ClassVar[str] = "billing.InvoiceFactuallyApproved"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    town: Ags = Field(description="The owning town")
    step: ApprovalStep


class InvoicePaymentOrdered(DomainEvent):
    """Anordnung: an entitled person other than the checker ordered the payment."""

    type_name: ClassVar[str] = "billing.InvoicePaymentOrdered"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    town: Ags
    step: ApprovalStep
    amount: Decimal = Field(description="The amount payable (BT-115) ordered")
    threshold: Decimal = Field(description="The town's threshold for a second approval then")
    second_approval_required: bool = Field(description="amount above threshold")


class InvoiceCountersigned(DomainEvent):
    """The second approval above the threshold, by a third person (four eyes)."""

    type_name: ClassVar[str] = "billing.InvoiceCountersigned"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    town: Ags
    step: ApprovalStep


class IncomingInvoiceRejected(DomainEvent):
    """The invoice was sent back to the supplier with reasons (German); it will not be paid.

    ``supplier_email`` is the seller's contact address from the invoice (personal, sealed
    with the invoice's key); ``notice`` says whether a mail goes out or no address was given.
    """

    type_name: ClassVar[str] = "billing.IncomingInvoiceRejected"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    town: Ags
    step: ApprovalStep
    reasons: list[str] = Field(min_length=1, description="German, as the supplier reads them")
    invoice_number: str
    seller_name: str
    supplier_email: Annotated[str | None, PERSONAL] = None
    notice: Literal["mail", "no_address"]


class InvoiceReleasedForPayment(DomainEvent):
    """The invoice is in the town's credit-transfer file ``file_id``: paid once, from there."""

    type_name: ClassVar[str] = "billing.InvoiceReleasedForPayment"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    town: Ags
    file_id: UUID
    amount: Decimal = Field(description="The amount transferred")
    discounted: bool = Field(description="The early-payment discount was taken")
    execution_date: date
    released_by: str
    released_at: datetime


class CreditTransfer(_Part):
    """One transfer in a credit-transfer file."""

    invoice_id: UUID
    invoice_number: str
    seller_name: str
    amount: Decimal
    discounted: bool
    end_to_end_id: str


class CreditTransferFileCreated(DomainEvent):
    """The town's SEPA credit-transfer file (pain.001) of ordered invoices, for the treasury.

    The file itself (it names the suppliers' accounts) stays in billing's database, served to
    the town's treasury; the event carries what it holds and its checksum.
    """

    type_name: ClassVar[str] = "billing.CreditTransferFileCreated"
    aggregate_type: ClassVar[str] = "credit-transfer-file"

    town: Ags = Field(description="The paying town: its account is the debtor's")
    file_id: UUID
    message_id: str = Field(description="The file's MsgId, unique per file as banks require")
    schema_version: str = Field(description="e.g. pain.001.001.09")
    execution_date: date
    transfers: list[CreditTransfer] = Field(min_length=1)
    total: Decimal
    checksum: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    created_by: str
    created_at: datetime


class InvoiceDeadlineNear(DomainEvent):
    """An open invoice's discount date or due date is near (announced once per kind)."""

    type_name: ClassVar[str] = "billing.InvoiceDeadlineNear"
    aggregate_type: ClassVar[str] = "incoming-invoice"

    invoice_id: UUID
    town: Ags
    kind: Literal["discount", "due"]
    deadline: date
    amount: Decimal = Field(description="What is paid by then (discounted for ``discount``)")
    invoice_number: str
    seller_name: str
    announced_at: datetime
