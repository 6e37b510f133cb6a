"""The official XRechnung test suite in ../shared/data, as the tests read it."""

from __future__ import annotations

from pathlib import Path

from services.billing.einvoices.artefacts import BESIDE_THE_REPOSITORY

TESTSUITE = BESIDE_THE_REPOSITORY / "testsuite" / "src" / "test"
INVOICES = sorted(
    [*TESTSUITE.rglob("*_ubl.xml"), *TESTSUITE.rglob("*_uncefact.xml")],
    key=lambda p: str(p.relative_to(TESTSUITE)),
)
STANDARD = TESTSUITE / "business-cases" / "standard"
UBL_BASE = STANDARD / "01.01a-INVOICE_ubl.xml"
CII_BASE = STANDARD / "01.01a-INVOICE_uncefact.xml"


def name(path: Path) -> str:
    """``business-cases/standard/01.01a-INVOICE_ubl.xml``."""
    return str(path.relative_to(TESTSUITE))
