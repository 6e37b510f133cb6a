"""Reading an untrusted XML file from its own bytes and nothing else.

A bank statement arrives as a file a clerk uploads or a job fetches; whoever could change it on
its way can try the classic XML attacks. So the file is refused before lxml sees it when it is
too large, and refused when it declares a document type at all: a DOCTYPE is where entities
(XXE, "billion laughs") and external DTDs live, and an ISO 20022 message never has one
(ISO 20022-4 forbids it). The parser itself is configured so that even a DOCTYPE that slipped
past the byte check (say, in a UTF-16 file) resolves no entity, loads no DTD, opens no network
connection and keeps libxml2's limits on depth and text size (``huge_tree=False``).
"""

from __future__ import annotations

from typing import Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.billing.statements.refusals import StatementRefused

MAX_BYTES = 20 * 1024 * 1024
"""The largest file read (20 MiB): a busy town account's month has a few thousand entries,
about 2 KB each; a file ten times that size is not a statement but an attempt."""

_DOCTYPE = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
"""The declaration in the encodings statements come in; the parsed tree is checked too."""


def size_in_words(size: int) -> str:
    """``20971520`` → ``20,0 MB`` (binary megabytes, as file managers show them)."""
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def hardened_parser() -> Any:
    """An lxml parser that reads the bytes it is given and nothing else."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _refuse_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise StatementRefused.because(
            "too_large",
            f"Die Datei ist {size_in_words(len(data))} groß; eingelesen werden Kontoauszüge"
            f" bis {size_in_words(max_bytes)}.",
        )
    if not data.strip():
        raise StatementRefused.because("not_xml", "Die Datei ist leer.")


def _refuse_doctype() -> StatementRefused:
    return StatementRefused.because(
        "doctype",
        "Die Datei enthält eine Dokumenttyp-Deklaration (DOCTYPE). Kontoauszüge im Format"
        " ISO 20022 haben keine; die Datei wird aus Sicherheitsgründen nicht eingelesen.",
    )


def read_xml(data: bytes, max_bytes: int = MAX_BYTES) -> Any:
    """The root element of ``data``, or ``StatementRefused`` (too large, DOCTYPE, not XML)."""
    _refuse_size(data, max_bytes)
    if any(doctype in data for doctype in _DOCTYPE):
        raise _refuse_doctype()
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise StatementRefused.because(
            "not_xml",
            f"Die Datei ist kein wohlgeformtes XML (Fehler in Zeile {line}, Spalte {column}).",
        ) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _refuse_doctype()
    return root
