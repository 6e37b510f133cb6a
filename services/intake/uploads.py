"""Attachments, one upload at a time: streamed, typed by their content, sealed, stored.

The widget (or any client) uploads each file on its own as ``multipart/form-data`` (field
``file``) under the application's Idempotency-Key, before it submits the application, and the
submission names the uploads it carries. An upload is never held whole in memory: the body is
parsed as it arrives, sealed chunk by chunk with the case's data key (``runtime.documents``)
and spooled — already encrypted — to at most a megabyte of memory, beyond that to a temporary
file, then put into the object store. Its type is what its content says (a PDF, JPEG or PNG
by its first bytes; a renamed executable is refused), its size is counted as it comes, its
SHA-256 taken on the way, its file name kept as a display name only.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any

import puremagic
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from contracts.procedures.base import AttachmentRule
from runtime.documents import DocumentWriter
from services.intake.attachments import safe_filename, size_in_words

SPOOL_IN_MEMORY = 1024 * 1024
MULTIPART_OVERHEAD = 16 * 1024
"""Room for the multipart framing and part headers around the file itself."""
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


class UploadRefused(Exception):
    """An upload that cannot be stored: the HTTP status and a German reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Received:
    """An upload, sealed and spooled, ready to be put into the object store."""

    spool: tempfile.SpooledTemporaryFile[bytes]
    filename: str
    content_type: str
    size: int
    sha256: str


def allowed_types(rule: AttachmentRule) -> str:
    """The allowed kinds as a citizen reads them: ``PDF, JPEG oder PNG``."""
    names = sorted(TYPE_NAMES.get(t, t) for t in rule.content_types)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} oder {names[-1]}"


def content_type_of(head: bytes) -> str | None:
    """What the first bytes of a file say it is (``None`` if they say nothing known)."""
    if not head:
        return None
    try:
        found: str = puremagic.from_string(head, mime=True)
    except puremagic.PureError:
        return None
    return found or None


async def receive(request: Request, rule: AttachmentRule, key: AESGCM, name: str) -> Received:
    """Parse, type-check, seal and spool the request's one file; ``UploadRefused`` if not."""
    boundary = _boundary(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > rule.max_bytes + MULTIPART_OVERHEAD:
        raise _too_large(rule)
    part = _FilePart(DocumentWriter(key, name), rule)
    parser = MultipartParser(boundary, part.callbacks())
    async for data in request.stream():
        parser.write(data)
        part.check_size()
    parser.finalize()
    return part.received()


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise UploadRefused(
            415, "Bitte senden Sie die Datei als multipart/form-data im Feld „file“."
        )
    return options[b"boundary"]


def _too_large(rule: AttachmentRule) -> UploadRefused:
    return UploadRefused(413, f"Die Datei ist zu groß (höchstens {size_in_words(rule.max_bytes)}).")


class _FilePart:
    """Collects the ``file`` part of a multipart body as it streams past."""

    def __init__(self, writer: DocumentWriter, rule: AttachmentRule) -> None:
        self._writer = writer
        self._rule = rule
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        self._header_field = b""
        self._header_value = b""
        self._disposition = b""
        self._in_file = False
        self._files = 0
        self._filename = ""

    def callbacks(self) -> Any:
        """The parser's callbacks, bound to this collector."""
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
        }

    def _part_begin(self) -> None:
        self._disposition = b""
        self._in_file = False

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if options.get(b"name") == b"file":
            self._files += 1
            self._in_file = self._files == 1
            self._filename = options.get(b"filename", b"").decode("utf-8", "replace")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._spool.write(self._writer.feed(data[start:end]))

    def check_size(self) -> None:
        """Stop at once when the file outgrows the limit (not after reading all of it)."""
        if self._writer.size > self._rule.max_bytes:
            self._spool.close()
            raise _too_large(self._rule)

    def received(self) -> Received:
        """The sealed file, once the body is complete; refuses what it must."""
        if self._files != 1:
            self._spool.close()
            raise UploadRefused(422, "Bitte senden Sie genau eine Datei im Feld „file“.")
        self._spool.write(self._writer.finish())
        self.check_size()
        if self._writer.size == 0:
            self._spool.close()
            raise UploadRefused(422, "Die Datei ist leer.")
        kind = content_type_of(self._writer.head)
        if kind not in self._rule.content_types:
            self._spool.close()
            raise UploadRefused(
                415,
                f"Diese Datei ist keine {allowed_types(self._rule)}-Datei (erkannt am Inhalt,"
                " nicht am Namen). Erlaubt sind nur diese Dateitypen.",
            )
        self._spool.seek(0)
        return Received(
            spool=self._spool,
            filename=safe_filename(self._filename or "anhang"),
            content_type=kind,
            size=self._writer.size,
            sha256=self._writer.sha256,
        )
