"""A plain HTML form with text and files (the status page's answer and objection), streamed.

The page works without JavaScript, so its form sends the text and every chosen file in one
``multipart/form-data`` body. It is read as ``uploads`` reads a single file: as it arrives,
each file sealed chunk by chunk with the case's data key and spooled already encrypted; its
type told by its content, its size counted on the way. Text fields are small and bounded.
Nothing is stored here — the caller stores the files once the text has passed its rules.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from contracts.procedures.base import AttachmentRule
from runtime.documents import DocumentWriter
from services.intake.attachments import safe_filename, size_in_words
from services.intake.uploads import (
    MULTIPART_OVERHEAD,
    SPOOL_IN_MEMORY,
    Received,
    UploadRefused,
    allowed_types,
    content_type_of,
)

MAX_FIELD_BYTES = 64 * 1024
"""A text field's limit: an answer of 10,000 characters is at most 40 KB in UTF-8."""


@dataclass
class FormBody:
    """What a form sent: its text fields, and its files sealed and spooled."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, Received]] = field(default_factory=list)
    """Each file with the object name it is sealed for."""

    def close(self) -> None:
        """Drop the spooled files (nothing was stored)."""
        for _, received in self.files:
            received.spool.close()


Namer = Callable[[], str]
"""Gives the object name the next file is sealed for (it is bound into every chunk)."""


async def receive_form(
    request: Request, rule: AttachmentRule, key: AESGCM, file_field: str, namer: Namer
) -> tuple[FormBody, list[str]]:
    """Parse the body; returns it with the German reasons any file was refused.

    Refused files are dropped, the text is kept (to show it again). Raises ``UploadRefused``
    (413, 415) when the body as a whole cannot be read.
    """
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise UploadRefused(415, "Bitte senden Sie das Formular als multipart/form-data.")
    limit = rule.max_count * rule.max_bytes + 2 * MAX_FIELD_BYTES + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise UploadRefused(413, f"Die Anfrage ist zu groß (höchstens {size_in_words(limit)}).")
    parts = _Parts(rule, key, file_field, namer)
    parser = MultipartParser(options[b"boundary"], parts.callbacks())
    read = 0
    async for data in request.stream():
        read += len(data)
        if read > limit:
            parts.body.close()
            raise UploadRefused(413, f"Die Anfrage ist zu groß (höchstens {size_in_words(limit)}).")
        parser.write(data)
    parser.finalize()
    return parts.body, parts.refusals


class _Parts:
    """Collects a multipart body's fields and files as it streams past."""

    def __init__(self, rule: AttachmentRule, key: AESGCM, file_field: str, namer: Namer) -> None:
        self._rule = rule
        self._key = key
        self._file_field = file_field
        self._namer = namer
        self.body = FormBody()
        self.refusals: list[str] = []
        self._field = b""
        self._value = b""
        self._disposition = b""
        self._name = ""
        self._text: bytearray | None = None
        self._file: _File | None = None

    def callbacks(self) -> Any:
        """The parser's callbacks, bound to this collector."""
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._disposition, self._text, self._file = b"", None, None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._field.lower() == b"content-disposition":
            self._disposition = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if self._name != self._file_field:
            self._text = bytearray() if filename is None else None
        elif filename:  # an empty file input sends a part without a name: no file
            name = self._namer()
            self._file = _File(
                filename.decode("utf-8", "replace"), name, DocumentWriter(self._key, name)
            )

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._text is not None:
            self._text += data[start:end]
            if len(self._text) > MAX_FIELD_BYTES:
                raise UploadRefused(413, "Der Text ist zu lang.")
        elif self._file is not None and not self._file.refused:
            self._file.feed(data[start:end], self._rule)

    def _end(self) -> None:
        if self._text is not None:
            self.body.fields[self._name] = self._text.decode("utf-8", "replace")
        elif self._file is not None:
            self._file_done(self._file)

    def _file_done(self, file: _File) -> None:
        received = file.finish(self._rule)
        if isinstance(received, str):
            self.refusals.append(received)
        elif len(self.body.files) >= self._rule.max_count:
            received.spool.close()
            self.refusals.append(f"Es sind höchstens {self._rule.max_count} Dateien möglich.")
        else:
            self.body.files.append((file.object_name, received))


class _File:
    """One file part: sealed as it comes, refused as soon as it is too large."""

    def __init__(self, filename: str, object_name: str, writer: DocumentWriter) -> None:
        self.filename = filename
        self.object_name = object_name
        self.writer = writer
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        self.refused = False

    def feed(self, data: bytes, rule: AttachmentRule) -> None:
        self.spool.write(self.writer.feed(data))
        if self.writer.size > rule.max_bytes:
            self.refused = True
            self.spool.close()

    def finish(self, rule: AttachmentRule) -> Received | str:
        """The sealed file, or why it is refused (in German, naming the file)."""
        name = safe_filename(self.filename or "anhang")
        if self.refused:
            return f"„{name}“ ist zu groß (höchstens {size_in_words(rule.max_bytes)})."
        self.spool.write(self.writer.finish())
        kind = content_type_of(self.writer.head)
        if self.writer.size == 0 or kind not in rule.content_types:
            self.spool.close()
            if self.writer.size == 0:
                return f"„{name}“ ist leer."
            return f"„{name}“ ist keine {allowed_types(rule)}-Datei (erkannt am Inhalt)."
        self.spool.seek(0)
        return Received(
            spool=self.spool,
            filename=name,
            content_type=kind,
            size=self.writer.size,
            sha256=self.writer.sha256,
        )
