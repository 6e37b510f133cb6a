"""Steps 3 and 4: the CEN EN 16931 rules and the XRechnung rules, run as the KoSIT validator does.

Both rule sets are ISO Schematron with XSLT 2 query binding, so they run on Saxon-HE
(``saxonche``). The EN 16931 rules come precompiled to XSLT with the CEN artefacts; the
XRechnung rules are compiled here from their ``.sch`` with SchXslt 2.0's pipeline (0.2 s each).
Everything is compiled once per process, lazily at the first check of a syntax or all at once
in :func:`warm_up` (about 5 s: the EN stylesheets are large). Each invoice then costs two
transformations whose SVRL report lists the failed assertions: id, flag (fatal, warning,
information), text and location.

One Saxon processor serves the process, and a lock serialises its use: a compiled stylesheet
keeps per-run state, and the transformation holds the GIL anyway, so threads would not run it
faster side by side.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from saxonche import PySaxonProcessor  # type: ignore[import-not-found,import-untyped,unused-ignore]

from services.billing.einvoices.artefacts import artefacts
from services.billing.einvoices.verdict import Finding, Severity, Syntax

Family = Literal["ubl", "cii"]
FAMILIES: tuple[Family, ...] = ("ubl", "cii")
RuleSet = Literal["en16931", "xrechnung"]
RULE_SETS: tuple[RuleSet, ...] = ("en16931", "xrechnung")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_LOCK = threading.RLock()
_SEVERITIES: dict[str, Severity] = {
    "fatal": "fatal",
    "error": "fatal",
    "warning": "warning",
    "information": "information",
    "info": "information",
}


def family(syntax: Syntax) -> Family:
    """UBL Invoice and CreditNote share one rule file each."""
    return "cii" if syntax == "cii" else "ubl"


@cache
def _processor() -> Any:
    return PySaxonProcessor(license=False)


@cache
def _compiled(rules: RuleSet, of: Family) -> Any:
    found = artefacts()
    xslt = _processor().new_xslt30_processor()
    if rules == "en16931":
        return xslt.compile_stylesheet(stylesheet_file=str(found.en16931_xslt(of)))
    pipeline = xslt.compile_stylesheet(stylesheet_file=str(found.schxslt_pipeline))
    compiled = pipeline.transform_to_string(source_file=str(found.xrechnung_sch(of)))
    return xslt.compile_stylesheet(stylesheet_text=compiled)


def warm_up() -> None:
    """Compile all four rule sets now rather than at the first invoice of each syntax."""
    with _LOCK:
        for rules in RULE_SETS:
            for of in FAMILIES:
                _compiled(rules, of)


def run_rules(root: Any, syntax: Syntax) -> dict[RuleSet, list[Finding]]:
    """The failed assertions of both rule sets on the document (already schema-valid)."""
    text = etree.tostring(root, encoding="unicode")
    with _LOCK:
        node = _processor().parse_xml(xml_text=text)
        reports: dict[RuleSet, str] = {
            rules: _compiled(rules, family(syntax)).transform_to_string(xdm_node=node)
            for rules in RULE_SETS
        }
    return {rules: findings(report, rules) for rules, report in reports.items()}


def findings(svrl: str, step: RuleSet) -> list[Finding]:
    """The failed asserts and successful reports of an SVRL report, as findings."""
    report = etree.fromstring(svrl.encode())  # our own engine's output, not the sender's
    return [
        Finding(
            step=step,
            rule_id=element.get("id") or "unbenannt",
            severity=_SEVERITIES.get((element.get("flag") or "fatal").lower(), "fatal"),
            message=" ".join("".join(element.findtext(f"{SVRL}text") or "").split()),
            location=readable_location(element.get("location")),
        )
        for element in report.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report")
    ]


_NAMESPACED = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='[^']*'\]|Q\{[^}]*\}([\w.-]+)")


def readable_location(location: str | None) -> str | None:
    """``/*:Invoice[namespace-uri()='…'][1]/*:LegalMonetaryTotal[…][1]`` or
    ``/Q{…}Invoice[1]/Q{…}LegalMonetaryTotal[1]`` → ``/Invoice[1]/LegalMonetaryTotal[1]``."""
    if not location:
        return None
    return _NAMESPACED.sub(lambda m: m[1] or m[2], location)
