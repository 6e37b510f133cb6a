"""The XRechnung of a fee, built and put through the same check as an incoming invoice.

Run in billing's worker process (``runtime.worker``, named by a ``Job`` in
``services.billing.fee_invoices``): the check is Saxon and its compiled rules, hundreds of
megabytes and tens of milliseconds a document, which the service's own process should neither
hold nor wait on; the service never imports this module.

An invoice we made that the check rejects is a bug of ours: the job reports it with every
fatal finding, and the caller stores and sends nothing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.billing.einvoices.check import check_invoice
from services.billing.einvoices.outgoing import FeeInvoice, fee_invoice_xml


class CheckedFeeInvoice(BaseModel):
    """The XML and what the check found fatal in it (nothing: it may go out)."""

    model_config = ConfigDict(frozen=True)

    xml: bytes
    fatal: tuple[str, ...]
    rules: str

    @property
    def accepted(self) -> bool:
        """Whether the check accepted the invoice."""
        return not self.fatal


def checked_fee_invoice(invoice: FeeInvoice) -> CheckedFeeInvoice:
    """The invoice as XML and the verdict of ``check_invoice`` on it (in the worker)."""
    xml = fee_invoice_xml(invoice)
    verdict = check_invoice(xml)
    fatal = tuple(
        f"{finding.rule_id}: {finding.message}"
        for finding in verdict.findings
        if finding.severity == "fatal"
    )
    if not verdict.accepted and not fatal:
        fatal = ("the check did not accept the invoice",)
    return CheckedFeeInvoice(xml=xml, fatal=fatal, rules=verdict.rules)
