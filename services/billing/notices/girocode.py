"""The notice's GiroCode: an EPC QR code (EPC069-12) a banking app turns into a transfer.

The code carries, line by line: service tag ``BCD``, version ``002``, character set ``1``
(UTF-8, so "Große Kreisstadt Wurzen" keeps its ß), ``SCT`` (SEPA credit transfer), the
town's BIC, the account holder, the IBAN, the amount as ``EUR`` followed by the amount
with a decimal point (segno drops trailing zeros: ``EUR12.5`` for 12,50 €, as the
standard allows), no purpose code, no structured reference, and the Kassenzeichen as the
unstructured remittance text — the reference the bank statement brings back and billing
matches the payment by. segno keeps error correction level M and at most version 13, as
the standard asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import segno
from segno import helpers

from services.billing.notices.notice import BankAccount, FeeNotice

UTF_8 = 1
"""The EPC character set number of UTF-8."""


def girocode(notice: FeeNotice) -> segno.QRCode:
    """The EPC QR code paying ``notice``'s total to its town's account."""
    return epc_code(notice.letterhead.account, notice.total, notice.kassenzeichen)


def epc_code(account: BankAccount, amount: Decimal, remittance: str) -> segno.QRCode:
    """The EPC QR code paying ``amount`` to ``account`` with ``remittance`` (the Kassenzeichen)."""
    return helpers.make_epc_qr(
        name=account.holder,
        iban=account.iban,
        amount=amount,
        text=remittance,
        bic=account.bic,
        encoding=UTF_8,
    )


def dark_runs(code: segno.QRCode) -> Iterator[tuple[int, int, int]]:
    """``(row, first column, length)`` of each horizontal run of dark modules.

    Drawing runs instead of single modules keeps the page's drawing small (a few hundred
    rectangles rather than a thousand or more).
    """
    for row, modules in enumerate(code.matrix):
        start = None
        for column, dark in enumerate((*modules, 0)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                yield row, start, column - start
                start = None
