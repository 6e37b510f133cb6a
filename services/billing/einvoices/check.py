"""Checking a received e-invoice as the official KoSIT validator does: bytes in, ``Verdict`` out.

The steps, each reporting its findings (README.md beside this file lists the rule ids):

1. ``input`` — size, PDF or XML, hostile XML refused, an invoice root (``input_step``);
   a ZUGFeRD / Factur-X PDF's embedded CII of profile EN 16931 or XRECHNUNG (``pdf_invoice``).
2. ``schema`` — UBL 2.1 or CII D16B XML Schema (``schema_step``).
3. ``en16931`` and 4. ``xrechnung`` — the CEN and the XRechnung Schematron (``schematron_step``).
5. ``arithmetic`` — the data read (``ubl_reader`` / ``cii_reader``) and its sums (``arithmetic``).

A fatal finding in steps 1 or 2 ends the check there, as the KoSIT validator stops after a
schema error: rules written for schema-valid documents say misleading things about others.
Steps 3 to 5 always run together, so the supplier learns every problem in one report.

``check_invoice`` is synchronous, pure CPU and never raises: a problem of the input is a
finding, and so is a failure of our own (``RC-INTERNAL-01``), which rejects rather than
lets an unchecked invoice through. The rules are compiled once per process (``warm_up``).
"""

from __future__ import annotations

from services.billing.einvoices import schema_step, schematron_step
from services.billing.einvoices.arithmetic import check_arithmetic
from services.billing.einvoices.artefacts import artefacts
from services.billing.einvoices.cii_reader import read_cii
from services.billing.einvoices.input_step import Document, Refused, read_input
from services.billing.einvoices.report import render_report_html, report_json
from services.billing.einvoices.terms import Unreadable
from services.billing.einvoices.ubl_reader import read_ubl
from services.billing.einvoices.verdict import Finding, InvoiceData, Step, Verdict

__all__ = ["check_invoice", "render_report_html", "report_json", "warm_up"]

MAX_BYTES = 20 * 1024 * 1024
"""20 MiB: an XRechnung with attachments embedded in it stays well below (KoSIT's own limit
for attachments in an XRechnung is 15 MB in total)."""


def warm_up() -> None:
    """Compile the schemas and all rule sets now (about 5 s), not at the first invoice."""
    schema_step.warm_up()
    schematron_step.warm_up()


def check_in_worker(request: tuple[bytes, int]) -> Verdict:
    """``check_invoice`` as billing's worker process runs it (content and size limit)."""
    content, max_bytes = request
    return check_invoice(content, max_bytes=max_bytes)


def warm_up_in_worker(_: object) -> None:
    """``warm_up`` as billing's worker process runs it, where the checks will run."""
    warm_up()


def check_invoice(content: bytes, *, max_bytes: int = MAX_BYTES) -> Verdict:
    """The verdict on one received document (XML or PDF); never raises."""
    try:
        return _check(content, max_bytes)
    except Exception as exc:  # our own failure must reject, not crash the receiving
        return Verdict(
            accepted=False,
            kind=None,
            findings=(_internal("input", f"{type(exc).__name__}: {exc}"),),
            rules=_rules(),
        )


def _check(content: bytes, max_bytes: int) -> Verdict:
    document = read_input(content, max_bytes)
    if isinstance(document, Refused):
        return Verdict(
            accepted=False,
            kind=document.kind,
            findings=(document.finding,),
            xml=document.xml,
            rules=_rules(),
        )
    findings = _schema(document)
    data: InvoiceData | None = None
    if not _fatal(findings):
        findings += _schematron(document)
        data, read_findings = _read(document)
        findings += read_findings
    return Verdict(
        accepted=not _fatal(findings),
        kind=document.kind,
        findings=tuple(findings),
        data=data,
        xml=document.xml,
        rules=_rules(),
    )


def _schema(document: Document) -> list[Finding]:
    try:
        return schema_step.check_schema(document.root, document.syntax)
    except Exception as exc:  # missing or broken schema files
        return [_internal("schema", f"{type(exc).__name__}: {exc}")]


def _schematron(document: Document) -> list[Finding]:
    try:
        results = schematron_step.run_rules(document.root, document.syntax)
    except Exception as exc:  # missing rule files, or Saxon failing on them
        return [_internal("en16931", f"{type(exc).__name__}: {exc}")]
    return [*results["en16931"], *results["xrechnung"]]


def _read(document: Document) -> tuple[InvoiceData | None, list[Finding]]:
    """The invoice data and whether its sums add up; unreadable data is itself a finding."""
    try:
        if document.syntax == "cii":
            data = read_cii(document.root)
        else:
            data = read_ubl(document.root, document.syntax)
    except Unreadable as exc:
        return None, [
            Finding(
                step="arithmetic",
                rule_id="RC-CALC-00",
                severity="fatal",
                message=f"Die Rechnungsdaten lassen sich nicht lesen: {exc}",
            )
        ]
    return data, check_arithmetic(data)


def _fatal(findings: list[Finding]) -> bool:
    return any(f.severity == "fatal" for f in findings)


def _internal(step: Step, detail: str) -> Finding:
    return Finding(
        step=step,
        rule_id="RC-INTERNAL-01",
        severity="fatal",
        message="Die Rechnung konnte wegen eines Fehlers der Prüfung selbst nicht geprüft werden;"
        f" sie gilt als nicht angenommen. Bitte senden Sie sie später erneut. ({detail})",
    )


def _rules() -> str:
    try:
        return artefacts().rules_version
    except Exception:  # the version is information; it must not fail the check
        return "unbekannt"
