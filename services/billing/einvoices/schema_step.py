"""Step 2: the XML Schema of the syntax — UBL 2.1 Invoice or CreditNote, or CII D16B.

The schemas are compiled once per process, at the first check or in :func:`warm_up`
(about half a second for all three). lxml's validators keep their error log on the object, so
one lock serialises their use; validation takes about 4 ms per invoice.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.billing.einvoices.artefacts import artefacts
from services.billing.einvoices.verdict import Finding, Syntax

MAX_FINDINGS = 50
"""A document that breaks the schema often does so at every line; the first 50 tell enough."""
_LOCK = threading.Lock()


@cache
def _schema(syntax: Syntax) -> Any:
    found = artefacts()
    path = {
        "ubl-invoice": found.ubl_invoice_xsd,
        "ubl-creditnote": found.ubl_creditnote_xsd,
        "cii": found.cii_xsd,
    }[syntax]
    # The schemas are our own trusted files; their imports are relative paths beside them.
    return etree.XMLSchema(etree.parse(str(path)))


def warm_up() -> None:
    """Compile the three schemas now rather than at the first invoice."""
    for syntax in ("ubl-invoice", "ubl-creditnote", "cii"):
        _schema(syntax)


def check_schema(root: Any, syntax: Syntax) -> list[Finding]:
    """Every schema violation of the document, as fatal findings (``RC-SCHEMA-01``)."""
    with _LOCK:
        schema = _schema(syntax)
        if schema.validate(root):
            return []
        errors = list(schema.error_log)[:MAX_FINDINGS]
    return [
        Finding(
            step="schema",
            rule_id="RC-SCHEMA-01",
            severity="fatal",
            message=f"Verstoß gegen das XML-Schema in Zeile {error.line}: {error.message}",
            location=error.path or None,
        )
        for error in errors
    ]
