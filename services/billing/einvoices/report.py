"""The validation report a supplier reads: HTML (German, accessible) and a machine-readable form.

Both say the same: accepted or not, each step with its result (passed, failed, not run because
an earlier step failed), every finding with its rule id, severity, message and location, the
rules release applied and, when the invoice could be read, its main business terms. The HTML
is rendered by Jinja2 with autoescaping: every text in it may come from the sender.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.billing.einvoices.arithmetic import money
from services.billing.einvoices.verdict import Finding, Step, Verdict

StepResult = Literal["bestanden", "nicht bestanden", "nicht ausgeführt"]

STEPS: tuple[tuple[Step, str], ...] = (
    ("input", "Eingang: Dateiart, Größe, Sicherheit"),
    ("schema", "XML-Schema (UBL 2.1 bzw. UN/CEFACT CII D16B)"),
    ("en16931", "Geschäftsregeln der EN 16931"),
    ("xrechnung", "Geschäftsregeln der XRechnung"),
    ("arithmetic", "Rechnerische Prüfung der Beträge"),
)
SEVERITY_WORDS = {"fatal": "Fehler", "warning": "Warnung", "information": "Hinweis"}
KIND_WORDS = {"xml": "XML-Datei", "pdf": "PDF mit eingebetteten Rechnungsdaten"}

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def step_results(verdict: Verdict) -> list[tuple[Step, str, StepResult, tuple[Finding, ...]]]:
    """Each step, its German title, its result and its findings.

    A step after a fatal input or schema finding did not run (see ``check``)."""
    stopped = False
    results: list[tuple[Step, str, StepResult, tuple[Finding, ...]]] = []
    for step, title in STEPS:
        own = tuple(f for f in verdict.findings if f.step == step)
        result: StepResult = (
            "nicht ausgeführt"
            if stopped and not own
            else ("nicht bestanden" if verdict.failed(step) else "bestanden")
        )
        results.append((step, title, result, own))
        if step in ("input", "schema") and verdict.failed(step):
            stopped = True
    return results


def report_json(verdict: Verdict) -> dict[str, Any]:
    """The report as JSON-ready data (the original XML is not repeated in it)."""
    return {
        "accepted": verdict.accepted,
        "kind": verdict.kind,
        "rules": verdict.rules,
        "steps": [
            {
                "step": step,
                "title": title,
                "result": {"bestanden": "passed", "nicht bestanden": "failed"}.get(
                    result, "skipped"
                ),
                "findings": [f.model_dump(mode="json") for f in findings],
            }
            for step, title, result, findings in step_results(verdict)
        ],
        "findings": [f.model_dump(mode="json") for f in verdict.findings],
        "data": None if verdict.data is None else verdict.data.model_dump(mode="json"),
    }


def render_report_fragment(verdict: Verdict) -> str:
    """The report as a ``<section>``, for a page that shows it (the upload page)."""
    return _ENV.get_template("report_section.html").render(**_context(verdict))


def render_report_html(verdict: Verdict) -> str:
    """The report as a complete HTML document (to show, download or attach to a mail)."""
    return _ENV.get_template("report.html").render(**_context(verdict))


def _context(verdict: Verdict) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "steps": step_results(verdict),
        "severity_words": SEVERITY_WORDS,
        "kind_word": KIND_WORDS.get(verdict.kind or "", "unbekannte Dateiart"),
        "money": money,
    }
