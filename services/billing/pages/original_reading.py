"""Reading a received invoice's original again for the clerks' page — in billing's worker.

The received event carries the terms billing pays by; the page shows every term the readers
know (the buyer's address, each allowance and charge, rounding, payments to third parties).
So the original (already checked and accepted when it came) is read again with the same
hardened input step and the same readers, without schema and rules: a few milliseconds of
lxml. It runs in the worker process (``runtime.worker``) because a ZUGFeRD PDF needs pypdf,
which billing's own process does not load.
"""

from __future__ import annotations

from services.billing.einvoices.cii_reader import read_cii
from services.billing.einvoices.input_step import Refused, read_input
from services.billing.einvoices.terms import Unreadable
from services.billing.einvoices.ubl_reader import read_ubl
from services.billing.einvoices.verdict import InvoiceData

MAX_BYTES = 20 * 1024 * 1024
"""As at receiving: nothing larger was ever kept."""


def read_in_worker(content: bytes) -> InvoiceData | None:
    """The invoice data of an original; ``None`` if it cannot be read (it then shows
    what the event holds)."""
    document = read_input(content, MAX_BYTES)
    if isinstance(document, Refused):
        return None
    try:
        if document.syntax == "cii":
            return read_cii(document.root)
        return read_ubl(document.root, document.syntax)
    except Unreadable:
        return None
