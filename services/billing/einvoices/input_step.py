"""Step 1: what arrived — its size, whether it is XML or a PDF, and an invoice at all.

Everything here runs before any rule and refuses what could harm the parser or the rules
engine: a file over the size limit is refused before a byte of it is parsed; XML is parsed by
lxml with entities, DTDs and the network off and libxml2's size limits on
(``statements.safe_xml.hardened_parser``), and a document type declaration is refused outright
— no XRechnung has one, and it is where external entities (XXE) and entity bombs ("billion
laughs") live. The Schematron engine (Saxon) only ever sees the tree lxml made, serialised
again without any declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.billing.einvoices import pdf_invoice
from services.billing.einvoices.verdict import Finding, Syntax
from services.billing.statements.safe_xml import hardened_parser, size_in_words

Kind = Literal["xml", "pdf"]

ROOTS: dict[str, Syntax] = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "ubl-invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "ubl-creditnote",
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice": "cii",
}
CII_GUIDELINE = "{*}ExchangedDocumentContext/{*}GuidelineSpecifiedDocumentContextParameter/{*}ID"
_DOCTYPE = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


@dataclass(frozen=True, slots=True)
class Document:
    """An invoice document, parsed: the XML to check (as received or taken from the PDF)."""

    kind: Kind
    xml: bytes
    root: Any
    syntax: Syntax


@dataclass(frozen=True, slots=True)
class Refused:
    """Not an invoice we read, and why."""

    kind: Kind | None
    finding: Finding
    xml: bytes | None = None


def refusal(rule_id: str, message: str, kind: Kind | None, xml: bytes | None = None) -> Refused:
    """A fatal finding of the input step."""
    finding = Finding(step="input", rule_id=rule_id, severity="fatal", message=message)
    return Refused(kind, finding, xml)


def read_input(content: bytes, max_bytes: int) -> Document | Refused:
    """The invoice document in ``content``, or why it is refused (never an exception)."""
    if not content.strip():
        return refusal("RC-INPUT-01", "Die Datei ist leer.", None)
    if len(content) > max_bytes:
        return refusal(
            "RC-INPUT-02",
            f"Die Datei ist {size_in_words(len(content))} groß; angenommen werden Rechnungen"
            f" bis {size_in_words(max_bytes)}.",
            None,
        )
    if is_pdf(content):
        return _from_pdf(content, max_bytes)
    return _from_xml(content, "xml")


def is_pdf(content: bytes) -> bool:
    """A PDF starts with ``%PDF-`` (readers accept it anywhere in the first 1024 bytes)."""
    head = content[:1024]
    return b"%PDF-" in head and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _from_xml(xml: bytes, kind: Kind) -> Document | Refused:
    parsed = parse(xml, kind)
    if isinstance(parsed, Refused):
        return parsed
    syntax = ROOTS.get(parsed.tag) if isinstance(parsed.tag, str) else None
    if syntax is None:
        return refusal(
            "RC-INPUT-05",
            f"Das XML-Dokument ist keine Rechnung in einer der angenommenen Formen (XRechnung"
            f" in UBL 2.1 als Invoice oder CreditNote, oder in UN/CEFACT CII D16B); sein"
            f" Wurzelelement ist „{etree.QName(parsed).localname}“.",
            kind,
            xml,
        )
    return Document(kind, xml, parsed, syntax)


def parse(xml: bytes, kind: Kind) -> Any:
    """The root element, or a refusal (DOCTYPE, not well-formed)."""
    if any(doctype in xml for doctype in _DOCTYPE):
        return _doctype(kind, xml)
    try:
        root = etree.fromstring(xml, hardened_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        where = ""
        if isinstance(exc, etree.XMLSyntaxError):
            where = f" (Fehler in Zeile {exc.position[0]}, Spalte {exc.position[1]})"
        return refusal(
            "RC-INPUT-03",
            f"Die Datei ist weder ein PDF noch ein wohlgeformtes XML-Dokument{where}.",
            kind,
        )
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return _doctype(kind, xml)
    return root


def _doctype(kind: Kind, xml: bytes) -> Refused:
    return refusal(
        "RC-INPUT-04",
        "Das XML-Dokument enthält eine Dokumenttyp-Deklaration (DOCTYPE). Eine XRechnung hat"
        " keine; das Dokument wird aus Sicherheitsgründen nicht gelesen.",
        kind,
    )


def _from_pdf(content: bytes, max_bytes: int) -> Document | Refused:
    try:
        attachments = pdf_invoice.xml_attachments(content)
    except pdf_invoice.UnreadablePdf:
        return refusal(
            "RC-INPUT-06",
            "Das PDF lässt sich nicht lesen (beschädigt oder verschlüsselt).",
            "pdf",
        )
    first_problem: Refused | None = None
    for attachment in attachments:
        found = _embedded(attachment, max_bytes)
        if isinstance(found, Document):
            return found
        first_problem = first_problem or found
    if first_problem is not None:
        return first_problem
    return refusal(
        "RC-INPUT-07",
        "Das PDF enthält keine Rechnungsdaten: eine elektronische Rechnung ist ein PDF nur mit"
        " eingebetteter XML-Datei (ZUGFeRD / Factur-X, Profil EN 16931 oder XRECHNUNG) oder"
        " eine XRechnung als XML-Datei.",
        "pdf",
    )


def _embedded(attachment: pdf_invoice.Attachment, max_bytes: int) -> Document | Refused | None:
    """The attachment as the invoice, or why not; None when it is no CII at all."""
    if len(attachment.content) > max_bytes:
        return refusal(
            "RC-INPUT-02",
            f"Die im PDF eingebettete Datei „{attachment.name}“ ist"
            f" {size_in_words(len(attachment.content))} groß; angenommen werden bis"
            f" {size_in_words(max_bytes)}.",
            "pdf",
        )
    document = _from_xml(attachment.content, "pdf")
    if isinstance(document, Refused):
        return document if document.finding.rule_id == "RC-INPUT-04" else None
    if document.syntax != "cii":
        return None
    guideline = document.root.findtext(CII_GUIDELINE) or ""
    name = pdf_invoice.profile(guideline)
    if name not in pdf_invoice.ACCEPTED_PROFILES:
        return refusal(
            "RC-INPUT-08",
            f"Das PDF enthält Rechnungsdaten im ZUGFeRD-/Factur-X-Profil {name}"
            f" („{guideline.strip()}“). Angenommen werden nur die Profile EN 16931 und XRECHNUNG,"
            " die alle Angaben einer XRechnung enthalten.",
            "pdf",
            attachment.content,
        )
    return document
