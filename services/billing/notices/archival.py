"""What makes the notice an archivable PDF/A-3b (ISO 19005-3, level B), and reproducible.

A fee notice is filed for years, so its PDF must look the same in decades without anything
from outside the file. fpdf2, made with ``enforce_compliance="PDF/A-3B"``, does the most:
PDF 1.7, no standard-14 fonts (it refuses them, so every font is embedded — PT Sans here),
no encryption, no /Info dictionary to contradict the metadata, a file identifier (/ID)
in the trailer. What this module adds:

- the output intent, made explicit rather than left to fpdf2's default: the sRGB
  IEC 61966-2-1 profile ``sRGB2014.icc`` that the fpdf2 wheel ships (ICC profile v2 by the
  International Color Consortium, who allow it to be "copied, distributed, embedded, made,
  used, and sold without restriction"); no system colour profile is needed. Text and the
  QR code are painted in DeviceGray, which an output intent covers;
- the XMP metadata packet: PDF/A identification (``pdfaid:part`` 3, ``pdfaid:conformance``
  B), title, author, subject and language, and its dates fixed to the notice's
  ``issued_at`` — fpdf2's own packet stamps ``ModifyDate`` with the clock, and a notice
  rendered twice would differ; a document id (``xmpMM:DocumentID``) derived from the
  Kassenzeichen and that moment, so a re-rendered notice is the same document.

Nothing here paints with transparency (no alpha, no soft masks, no blend modes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5
from xml.sax.saxutils import escape

from fpdf import FPDF
from fpdf.enums import OutputIntentSubType
from fpdf.output import PDFICCProfile
from fpdf.util import builtin_srgb2014_bytes

from contracts.calendar import GERMANY

COMPLIANCE = "PDF/A-3B"
PART, CONFORMANCE = 3, "B"
CREATOR_TOOL = "RathausCloud billing"


@dataclass(frozen=True)
class Description:
    """What the file's metadata says of the document."""

    title: str
    author: str
    subject: str
    created_at: datetime
    document_key: str
    """What identifies the document across renders (the notice's Kassenzeichen)."""
    language: str = "de"


def make_archival(pdf: FPDF, description: Description) -> None:
    """Give ``pdf`` its sRGB output intent and its XMP packet (before ``output()``)."""
    pdf.set_creation_date(description.created_at)
    pdf.set_lang(description.language)
    pdf.add_output_intent(
        OutputIntentSubType.PDFA,
        output_condition_identifier="sRGB IEC61966-2.1",
        output_condition="IEC 61966-2-1:1999",
        registry_name="http://www.color.org",
        dest_output_profile=PDFICCProfile(
            contents=builtin_srgb2014_bytes(), n=3, alternate="DeviceRGB"
        ),
        info="sRGB2014 (ICC profile v2, International Color Consortium)",
    )
    pdf.set_xmp_metadata(xmp(description))


def document_id(description: Description) -> str:
    """``uuid:…``, the same for the same document key and moment."""
    key = f"rathauscloud:{description.document_key}:{description.created_at.isoformat()}"
    return f"uuid:{uuid5(NAMESPACE_URL, key)}"


def xmp(description: Description) -> str:
    """The XMP packet's body (fpdf2 wraps it in ``<?xpacket?>``)."""
    moment = description.created_at.astimezone(GERMANY).isoformat(timespec="seconds")
    identifier = document_id(description)
    return "\n".join(
        (
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
            '  <rdf:Description rdf:about=""',
            '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
            '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
            '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            '    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">',
            f"   <pdfaid:part>{PART}</pdfaid:part>",
            f"   <pdfaid:conformance>{CONFORMANCE}</pdfaid:conformance>",
            "   <dc:format>application/pdf</dc:format>",
            f"   <dc:title>{_alternative(description.title)}</dc:title>",
            f"   <dc:creator><rdf:Seq><rdf:li>{_text(description.author)}</rdf:li></rdf:Seq>"
            "</dc:creator>",
            f"   <dc:description>{_alternative(description.subject)}</dc:description>",
            f"   <dc:language><rdf:Bag><rdf:li>{_text(description.language)}</rdf:li></rdf:Bag>"
            "</dc:language>",
            f"   <xmp:CreatorTool>{CREATOR_TOOL}</xmp:CreatorTool>",
            f"   <xmp:CreateDate>{moment}</xmp:CreateDate>",
            f"   <xmp:ModifyDate>{moment}</xmp:ModifyDate>",
            f"   <xmp:MetadataDate>{moment}</xmp:MetadataDate>",
            f"   <xmpMM:DocumentID>{identifier}</xmpMM:DocumentID>",
            f"   <xmpMM:InstanceID>{identifier}</xmpMM:InstanceID>",
            "  </rdf:Description>",
            " </rdf:RDF>",
            "</x:xmpmeta>",
        )
    )


def _text(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _alternative(value: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{_text(value)}</rdf:li></rdf:Alt>'
