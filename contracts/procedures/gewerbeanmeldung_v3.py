"""Gewerbeanmeldung, form version 3: version 2 and, for a business, the fee invoice as an
XRechnung (``contracts.procedures.e_invoice``). Versions 1 and 2 stay as they were."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict

from contracts.procedures.base import Condition
from contracts.procedures.e_invoice import (
    E_INVOICE_CONDITION,
    EInvoiceRequest,
    request_field,
    wanted_field,
)
from contracts.procedures.gewerbeanmeldung_v2 import GewerbeanmeldungFormV2


class GewerbeanmeldungFormV3(GewerbeanmeldungFormV2):
    """Form version 3 of the Gewerbeanmeldung."""

    model_config = ConfigDict(title="Gewerbeanmeldung")
    conditions: ClassVar[tuple[Condition, ...]] = (
        *GewerbeanmeldungFormV2.conditions,
        E_INVOICE_CONDITION,
    )

    e_invoice_wanted: bool = wanted_field()
    e_invoice: EInvoiceRequest | None = request_field()
