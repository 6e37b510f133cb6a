"""Where the official validation artefacts are, and which release of them is in force.

The XML schemas, the EN 16931 rules and the XRechnung rules are public files kept beside the
repository in ``../shared/data/xrechnung`` (see its README), not copied into it: they are the
standard, and a new release replaces them as a whole. The directory is found from the
repository's root, or named by ``BILLING_INVOICE_RULES_DIR`` (billing's setting
``invoice_rules_dir``; the image sets it, see the Dockerfile) — read from the environment,
since the checks run in billing's worker process; a test may also call :func:`use_rules_dir`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


MACHINE_SHARED_DATA = Path("/work/shared/data")
"""Where this workplace's machines keep the shared corpora, for a clone made elsewhere."""


def _beside_the_repository() -> Path:
    """``xrechnung`` in the shared data: named by ``RATHAUS_SHARED_DATA``, else in the nearest
    ``shared/data`` above the repository (a clone may sit deeper than the main checkout), else
    the machine's — a clone in a temporary folder has no ``../shared``."""
    named = os.environ.get("RATHAUS_SHARED_DATA")
    candidates = [Path(named)] if named else []
    candidates += [folder / "shared" / "data" for folder in REPO_ROOT.parents]
    candidates.append(MACHINE_SHARED_DATA)
    for data in candidates:
        if (data / "xrechnung").is_dir():
            return data / "xrechnung"
    return REPO_ROOT.parent / "shared" / "data" / "xrechnung"


BESIDE_THE_REPOSITORY = _beside_the_repository()
DEFAULT_RULES_DIR = Path(os.environ.get("BILLING_INVOICE_RULES_DIR") or BESIDE_THE_REPOSITORY)

_chosen: list[Path] = [DEFAULT_RULES_DIR]


def use_rules_dir(path: Path) -> None:
    """Check against the artefacts in ``path`` (call before the first check of the process)."""
    _chosen[0] = path
    artefacts.cache_clear()


@dataclass(frozen=True, slots=True)
class Artefacts:
    """The files of one release of the rules."""

    root: Path

    @property
    def ubl_invoice_xsd(self) -> Path:
        return self.root / "ubl-2.1-xsd" / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd"

    @property
    def ubl_creditnote_xsd(self) -> Path:
        return self.root / "ubl-2.1-xsd" / "xsd" / "maindoc" / "UBL-CreditNote-2.1.xsd"

    @property
    def cii_xsd(self) -> Path:
        return (
            self.root / "en16931" / "cii" / "schema" / "D16B" / "CII" / "uncefact" / "data"
            / "standard" / "CrossIndustryInvoice_100pD16B.xsd"
        )  # fmt: skip

    def en16931_xslt(self, family: str) -> Path:
        """The CEN rules compiled to XSLT 2 (``family`` ``ubl`` or ``cii``)."""
        return self.root / "en16931" / family / "xslt" / f"EN16931-{family.upper()}-validation.xslt"

    def xrechnung_sch(self, family: str) -> Path:
        """The XRechnung rules as Schematron (``family`` ``ubl`` or ``cii``)."""
        return self.root / "schematron" / family / f"XRechnung-{family.upper()}-validation.sch"

    @property
    def schxslt_pipeline(self) -> Path:
        return self.root / "schxslt" / "2.0" / "pipeline-for-svrl.xsl"

    @property
    def rules_version(self) -> str:
        """The release in force, for ``Verdict.rules``: EN 16931 and XRechnung, with sources."""
        return f"EN16931 {_en_version(self)}; XRechnung-Schematron {_source(self, 'schematron')}"


def _source(found: Artefacts, folder: str) -> str:
    """``<short commit> (<date>)`` from a folder's SOURCE file, which names both first."""
    try:
        first = (found.root / folder / "SOURCE").read_text().split()
    except OSError:
        return "unbekannt"
    return f"{first[0][:7]} ({first[1]})" if len(first) >= 2 else "unbekannt"


def _en_version(found: Artefacts) -> str:
    """``1.3.16 (2026-03-30)`` from the compiled EN rules' own comment, and their source."""
    try:
        head = found.en16931_xslt("ubl").read_text()[:2000]
    except OSError:
        return "unbekannt"
    match = re.search(r"Schematron version (\S+) - Last update: (\S+?)-->", head)
    version = f"{match[1]} ({match[2]})" if match else "unbekannt"
    return f"{version}, {_source(found, 'en16931')}"


@cache
def artefacts() -> Artefacts:
    """The artefacts in force for this process."""
    return Artefacts(_chosen[0])
