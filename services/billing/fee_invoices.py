"""The XRechnung beside a fee notice, for a business that asked for one in its application.

Called by the fee-notice reaction (``projections.fee_notices``) while it issues a notice, so
the invoice is announced on the same ``FeeNoticeIssued`` (one commit, once) and notify mails
it with the notice. The invoice is built and checked in the worker process
(``einvoices.outgoing_check``) with the check incoming invoices get; only an accepted one is
stored, sealed with the case's key like the notice (``documents.store_once``: a retry finds it
stored). One the check rejects is our bug: it is logged as an error with every fatal finding
and nothing of it is stored or announced — the notice, which is what the law asks for, goes
out all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError

from contracts.events.billing import FeeAssessed
from contracts.events.casework import DocumentRef
from contracts.events.intake import ApplicationSubmitted
from contracts.fee_schedules import TownAccount
from contracts.procedures import PROCEDURES
from contracts.procedures.e_invoice import EInvoiceRequest, requested_e_invoice
from runtime import documents
from runtime.service import Runtime
from runtime.worker import Job
from services.billing.einvoices.fee_invoice import fee_invoice
from services.billing.einvoices.outgoing import FeeInvoice, FeeInvoiceRefused

if TYPE_CHECKING:
    from services.billing.einvoices.outgoing_check import CheckedFeeInvoice

log = structlog.get_logger(__name__)

CONTENT_TYPE = "application/xml"

BUILD_AND_CHECK: Job[FeeInvoice, CheckedFeeInvoice] = Job(
    "services.billing.einvoices.outgoing_check:checked_fee_invoice"
)
"""In the worker process: Saxon and the compiled rules stay out of billing's own process."""


@dataclass(frozen=True)
class IssuedXRechnung:
    """The stored XRechnung and where the business wants it."""

    document: DocumentRef
    email: str


@dataclass(frozen=True)
class FeeCase:
    """What the notice's reaction knows of the fee's case."""

    assessed: FeeAssessed
    application: ApplicationSubmitted
    profile: dict[str, Any]
    office: str | None
    account: TownAccount
    case_number: str
    decided_at: datetime
    data_key: str


def e_invoice_request(application: ApplicationSubmitted) -> EInvoiceRequest | None:
    """The XRechnung the application asks for (``None``: none, or a form that cannot say)."""
    definition = PROCEDURES.get(application.procedure)
    if definition is None or application.form is None or application.form_version is None:
        return None
    try:
        form = definition.form(application.form_version).read(application.form)
    except (ValidationError, KeyError):
        return None
    return requested_e_invoice(form)


async def issue_xrechnung(
    runtime: Runtime, case: FeeCase, key: AESGCM, issued_at: datetime
) -> IssuedXRechnung | None:
    """Build, check and store the XRechnung if the business asked (``None``: not asked, or
    not issued — the error says why)."""
    request = e_invoice_request(case.application)
    if request is None:
        return None
    cash_reference = case.assessed.cash_reference
    invoice = fee_invoice(
        case.assessed,
        profile=case.profile,
        office=case.office,
        account=case.account,
        request=request,
        case_number=case.case_number,
        decided_at=case.decided_at,
        issued_at=issued_at,
    )
    try:
        checked = await runtime.worker(BUILD_AND_CHECK, invoice)
    except FeeInvoiceRefused as refused:
        log.error(
            "no XRechnung: refused before building",
            cash_reference=cash_reference,
            reason=str(refused),
        )
        return None
    if not checked.accepted:
        log.error(
            "BUG: the XRechnung billing built fails the e-invoice check; not stored, not sent",
            cash_reference=cash_reference,
            findings=list(checked.fatal),
            rules=checked.rules,
        )
        return None
    filename = f"xrechnung-{cash_reference}.xml"
    name = documents.object_name(case.data_key, filename)
    stored = await documents.store_once(runtime.attachments, name, checked.xml, key)
    document = DocumentRef(
        object_name=name,
        filename=filename,
        content_type=CONTENT_TYPE,
        size=stored.size,
        sha256=stored.sha256,
    )
    return IssuedXRechnung(document=document, email=request.email)
