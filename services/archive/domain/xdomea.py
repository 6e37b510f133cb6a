"""The xdomea 3.0.0 messages of a disposal (Aussonderung), written and read (pure).

A town offers the files whose retention ended to the state archive (0501
``Anbieteverzeichnis``); the archive confirms the offer's receipt (0504) and answers with its
appraisal (0502 ``Bewertungsverzeichnis``: ``A`` archivwürdig, ``V`` vernichten); the town
hands over what the archive takes (0503 ``Aussonderung``, the message and the files'
documents in one ZIP, as xdomea transports it) and the archive confirms their import per file
(0506 ``AussonderungImportBestaetigen``). Each message is checked against the xdomea schema
before it leaves and after it arrives (``Schema``), so a broken one never passes silently.

Only metadata a state archive needs go into the offer: the file's id, reference, plan
position, subject (the procedure), running time. The handover carries the documents too.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final, Literal
from uuid import UUID

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

NS = "urn:xoev-de:xdomea:schema:3.0.0"
OFFER: Final = "0501"
APPRAISAL: Final = "0502"
HANDOVER: Final = "0503"
OFFER_RECEIPT: Final = "0504"
IMPORT_CONFIRMATION: Final = "0506"
ROOTS = {
    OFFER: "Aussonderung.Anbieteverzeichnis.0501",
    APPRAISAL: "Aussonderung.Bewertungsverzeichnis.0502",
    HANDOVER: "Aussonderung.Aussonderung.0503",
    OFFER_RECEIPT: "Aussonderung.AnbietungEmpfangBestaetigen.0504",
    IMPORT_CONFIRMATION: "Aussonderung.AussonderungImportBestaetigen.0506",
}
FORMATS = {"application/pdf": "018", "application/xml": "030", "text/plain": "045"}
"""xdomea's code list ``dateiformat`` 1.0 for the documents a file holds."""
PRODUCT = "RathausCloud archive"

Verdict = Literal["A", "V"]


class XdomeaError(ValueError):
    """A message that is not the xdomea message it should be (schema, type or process)."""


@dataclass(frozen=True)
class Party:
    """Sender or recipient of a message: an authority's key and name."""

    key: str
    name: str


@dataclass(frozen=True)
class Document:
    """A document of a file, as it is handed over."""

    id: UUID
    title: str
    filename: str
    content_type: str
    content: bytes
    dated: date

    @property
    def packaged_name(self) -> str:
        """Its name in the 0503 package: xdomea wants the document's UUID in front."""
        return f"{self.id}_{self.filename}"


@dataclass(frozen=True)
class OfferedFile:
    """A file whose retention ended, as the offer and the handover describe it."""

    id: UUID
    reference: str
    plan_position: str
    subject: str
    began: date
    ended: date
    documents: tuple[Document, ...] = ()


class Schema:
    """The xdomea 3.0.0 schema, compiled once."""

    def __init__(self, folder: Path) -> None:
        self._schema = etree.XMLSchema(etree.parse(str(folder / "xdomea.xsd")))

    def check(self, xml: bytes, message_type: str) -> etree._Element:
        """The parsed message, if it is a schema-valid message of ``message_type``."""
        root = parse(xml)
        if root.tag != f"{{{NS}}}{ROOTS[message_type]}":
            raise XdomeaError(f"expected {ROOTS[message_type]}, got {etree.QName(root).localname}")
        if not self._schema.validate(root):
            error = self._schema.error_log.last_error
            raise XdomeaError(f"{ROOTS[message_type]} is not schema-valid: {error}")
        return root


def parse(xml: bytes) -> etree._Element:
    """Parse a message from outside: no DTD, no entities, no network access."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise XdomeaError(f"not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise XdomeaError("a DOCTYPE (DTD, entities) is not allowed in an xdomea message")
    return root


def _el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def _code(parent: etree._Element, name: str, code: str, list_uri: str | None = None) -> None:
    element = _el(parent, name)
    if list_uri:
        element.set("listURI", list_uri)
        element.set("listVersionID", "1.0")
    etree.SubElement(element, "code").text = code


def _party(parent: etree._Element, name: str, party: Party) -> None:
    contact = _el(parent, name)
    key = _el(_el(contact, "Behoerdenkennung"), "Behoerdenschluessel")
    etree.SubElement(key, "code").text = party.key
    etree.SubElement(key, "name").text = party.name
    _el(_el(contact, "Institution"), "Name", party.name)


def _header(
    root: etree._Element,
    message_type: str,
    process_id: UUID,
    sender: Party,
    recipient: Party,
    at: datetime,
) -> etree._Element:
    head = _el(root, "Kopf")
    _el(head, "ProzessID", str(process_id))
    _code(head, "Nachrichtentyp", message_type)
    _el(head, "Erstellungszeitpunkt", at.replace(microsecond=0, tzinfo=None).isoformat())
    _party(head, "Absender", sender)
    _party(head, "Empfaenger", recipient)
    system = _el(head, "SendendesSystem")
    _el(system, "Produktname", PRODUCT)
    return head


def _message(message_type: str) -> etree._Element:
    return etree.Element(f"{{{NS}}}{ROOTS[message_type]}", nsmap={"xdomea": NS})


def _bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _file(parent: etree._Element, file: OfferedFile, *, with_documents: bool) -> None:
    akte = _el(_el(parent, "Schriftgutobjekt"), "Akte")
    _el(_el(akte, "Identifikation"), "ID", str(file.id))
    general = _el(akte, "AllgemeineMetadaten")
    _el(general, "Betreff", file.subject)
    _el(general, "Kennzeichen", file.reference)
    _el(_el(general, "Aktenplaneinheit"), "Kennzeichen", file.plan_position)
    archival = _el(akte, "ArchivspezifischeMetadaten")
    kind = _el(archival, "Aussonderungsart")
    _code(kind, "Aussonderungsart", "B", "urn:xoev-de:xdomea:codeliste:aussonderungsart")
    _el(akte, "Typ", "Verwaltungsverfahren")
    period = _el(akte, "Laufzeit")
    _el(period, "Beginn", file.began.isoformat())
    _el(period, "Ende", file.ended.isoformat())
    if not with_documents or not file.documents:
        return
    content = _el(akte, "Akteninhalt")
    for document in file.documents:
        dokument = _el(content, "Dokument")
        _el(_el(dokument, "Identifikation"), "ID", str(document.id))
        _el(_el(dokument, "AllgemeineMetadaten"), "Betreff", document.title)
        _el(dokument, "DatumDesSchreibens", document.dated.isoformat())
        version = _el(dokument, "Version")
        _el(version, "Nummer", "1")
        form = _el(version, "Format")
        _code(
            form,
            "Name",
            FORMATS.get(document.content_type, "030"),
            "urn:xoev-de:xdomea:codeliste:dateiformat",
        )
        _el(form, "Version", "1")
        _el(_el(form, "Primaerdokument"), "Dateiname", document.packaged_name)


def offer(
    process_id: UUID, sender: Party, recipient: Party, files: Sequence[OfferedFile], at: datetime
) -> bytes:
    """The 0501: the files offered, without their documents."""
    root = _message(OFFER)
    head = _header(root, OFFER, process_id, sender, recipient, at)
    _el(head, "Empfangsbestaetigung", "1")
    for file in files:
        _file(root, file, with_documents=False)
    return _bytes(root)


def handover(
    process_id: UUID, sender: Party, recipient: Party, files: Sequence[OfferedFile], at: datetime
) -> bytes:
    """The 0503 as xdomea transports it: one ZIP with the message and every document."""
    root = _message(HANDOVER)
    head = _header(root, HANDOVER, process_id, sender, recipient, at)
    _el(head, "Importbestaetigung", "1")
    _el(head, "RueckmeldungArchivkennung", "0")
    _el(head, "Empfangsbestaetigung", "0")
    for file in files:
        _file(root, file, with_documents=True)
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{process_id}_{ROOTS[HANDOVER]}.xml", _bytes(root))
        for file in files:
            for document in file.documents:
                archive.writestr(document.packaged_name, document.content)
    return package.getvalue()


def handover_message(package: bytes) -> tuple[bytes, dict[str, bytes]]:
    """A 0503 package opened: the message and the documents by file name."""
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            names = archive.namelist()
            [message] = [n for n in names if n.endswith(f"_{ROOTS[HANDOVER]}.xml")]
            return archive.read(message), {n: archive.read(n) for n in names if n != message}
    except (zipfile.BadZipFile, ValueError) as exc:
        raise XdomeaError(f"no 0503 package: {exc}") from exc


def process_of(root: etree._Element) -> UUID:
    """The process a message belongs to."""
    return UUID(root.findtext(f"{{{NS}}}Kopf/{{{NS}}}ProzessID") or "")


def appraisal(root: etree._Element, process_id: UUID) -> dict[UUID, Verdict]:
    """The archive's verdict per offered file, from a checked 0502 of this process."""
    _same_process(root, process_id)
    verdicts: dict[UUID, Verdict] = {}
    for item in root.iterfind(f"{{{NS}}}BewertetesObjekt"):
        code = item.findtext(f"{{{NS}}}Aussonderungsart/{{{NS}}}Aussonderungsart/code")
        if code not in ("A", "V"):
            raise XdomeaError(f"appraisal {code!r} for {item.findtext(f'{{{NS}}}ID')}: not A or V")
        verdicts[UUID(item.findtext(f"{{{NS}}}ID") or "")] = code
    return verdicts


def imported(root: etree._Element, process_id: UUID) -> dict[UUID, bool]:
    """Per handed-over file, whether the archive imported it, from a checked 0506."""
    _same_process(root, process_id)
    return {
        UUID(item.findtext(f"{{{NS}}}IDSGO") or ""): item.findtext(f"{{{NS}}}Erfolgreich")
        in ("1", "true")
        for item in root.iterfind(f"{{{NS}}}AusgesondertesSGO")
    }


def _same_process(root: etree._Element, process_id: UUID) -> None:
    if process_of(root) != process_id:
        raise XdomeaError(f"the answer belongs to process {process_of(root)}, not {process_id}")


def offered_ids(root: etree._Element) -> list[UUID]:
    """The files a 0501 or 0503 names (for the state archive's side)."""
    return [
        UUID(text)
        for text in root.xpath(
            "x:Schriftgutobjekt/x:Akte/x:Identifikation/x:ID/text()", namespaces={"x": NS}
        )
    ]


def answer(
    message_type: Literal["0502", "0504", "0506"],
    process_id: UUID,
    sender: Party,
    recipient: Party,
    at: datetime,
    verdicts: Mapping[UUID, object] | None = None,
) -> bytes:
    """The state archive's side of the exchange: receipt (0504), appraisal (0502: ``A``/``V``
    per file) or import confirmation (0506: imported or not per file). The local simulator
    answers with these; a real archive sends its own."""
    root = _message(message_type)
    head = _header(root, message_type, process_id, sender, recipient, at)
    if message_type == APPRAISAL:
        _el(head, "Empfangsbestaetigung", "0")
    for file_id, verdict in (verdicts or {}).items():
        if message_type == APPRAISAL:
            item = _el(root, "BewertetesObjekt")
            _el(item, "ID", str(file_id))
            _code(_el(item, "Aussonderungsart"), "Aussonderungsart", str(verdict))
        elif message_type == IMPORT_CONFIRMATION:
            item = _el(root, "AusgesondertesSGO")
            _el(item, "IDSGO", str(file_id))
            _el(item, "Erfolgreich", "1" if verdict else "0")
            if not verdict:
                _el(item, "Fehlermeldung", "Import fehlgeschlagen")
    return _bytes(root)
