"""The invoice data inside a ZUGFeRD / Factur-X PDF: its embedded CII, and whether we take it.

A hybrid invoice is a PDF for people with the invoice as UN/CEFACT CII attached for machines;
only the attachment is the invoice in law (the E-Rechnungsverordnung counts the structured
data). It is taken out with pypdf, the library the Factur-X reference implementation
(``factur-x``) reads PDFs with. We do not call ``factur-x`` for it: its reader parses every
attachment with lxml's default parser before we could refuse a DOCTYPE, and it logs what it
finds; our reader hands the attachment's bytes, unparsed, to the same hardened parser every
XML invoice goes through. (``factur-x`` still writes the Factur-X PDFs the tests read.)

Of the Factur-X / ZUGFeRD profiles only EN 16931 (formerly COMFORT) and XRECHNUNG carry every
business term an XRechnung needs; MINIMUM and BASIC WL are no invoices under German VAT law
(they lack the lines), BASIC lacks terms the XRechnung rules require, EXTENDED goes beyond
EN 16931 with terms no rule of ours checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader

KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "zugferd_invoice.xml")
"""The attachment names the Factur-X and ZUGFeRD specifications give the invoice data."""

ACCEPTED_PROFILES = ("EN 16931", "XRECHNUNG")


@dataclass(frozen=True, slots=True)
class Attachment:
    """One XML file embedded in the PDF."""

    name: str
    content: bytes


class UnreadablePdf(ValueError):
    """The PDF cannot be read (damaged, encrypted, not a PDF after all)."""


def xml_attachments(content: bytes) -> list[Attachment]:
    """The PDF's embedded ``.xml`` files, the specified invoice names first."""
    try:
        reader = PdfReader(BytesIO(content))
        if reader.is_encrypted:
            raise UnreadablePdf("encrypted")
        found = [
            Attachment(name, data)
            for name, versions in reader.attachments.items()
            for data in versions[:1]
            if name.lower().endswith(".xml")
        ]
    except UnreadablePdf:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files; all mean the same
        raise UnreadablePdf(str(exc)) from exc
    return sorted(found, key=lambda a: (a.name.lower() not in KNOWN_NAMES, a.name))


def profile(guideline: str) -> str:
    """The Factur-X / ZUGFeRD profile a CII's guideline id (BT-24) names."""
    lowered = guideline.strip().lower()
    if "urn:xeinkauf.de:kosit:xrechnung_" in lowered:
        return "XRECHNUNG"
    if lowered == "urn:cen.eu:en16931:2017":
        return "EN 16931"
    for marker, name in (
        ("basicwl", "BASIC WL"),
        ("minimum", "MINIMUM"),
        ("extended", "EXTENDED"),
        ("basic", "BASIC"),
    ):
        if marker in lowered:
            return name
    return "unbekannt"
