"""The status page's form, text and files in one body: files sealed as they stream, refused
files named in German, the text kept."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.requests import Request

from contracts.procedures.base import AttachmentRule
from runtime.documents import decrypt
from services.intake.form_uploads import receive_form
from services.intake.uploads import UploadRefused
from tests.support.applications import PDF

KEY = AESGCM(b"k" * 32)
RULE = AttachmentRule(max_count=2, max_bytes=4096)
BOUNDARY = "----grenze"


def body(*parts: tuple[str, str | None, bytes]) -> bytes:
    """A multipart body of (field name, file name or None, content)."""
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def request(raw: bytes, chunk: int = 100) -> Request:
    """A request whose body arrives in small pieces, as over a network."""
    pieces = [raw[i : i + chunk] for i in range(0, len(raw), chunk)] or [b""]

    async def receive() -> dict[str, Any]:
        piece = pieces.pop(0)
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    headers = [
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
        (b"content-length", str(len(raw)).encode()),
    ]
    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def namer() -> Any:
    names = iter(f"app/{n}" for n in range(10))
    return lambda: next(names)


async def test_the_text_and_a_pdf_arrive_the_pdf_sealed_for_its_name() -> None:
    raw = body(
        ("schluessel", None, b"k-1"),
        ("antwort", None, "Die Police liegt bei.\r\nGrüße".encode()),
        ("dateien", "../../police.pdf", PDF),
    )
    form, refusals = await receive_form(request(raw), RULE, KEY, "dateien", namer())
    assert refusals == []
    assert form.fields == {"schluessel": "k-1", "antwort": "Die Police liegt bei.\r\nGrüße"}
    [(name, received)] = form.files
    assert (name, received.filename, received.content_type) == (
        "app/0",
        "police.pdf",
        "application/pdf",
    )
    assert (received.size, received.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert decrypt(received.spool.read(), KEY, name) == PDF  # sealed, not plain
    form.close()


async def test_refused_files_are_named_and_the_text_is_kept() -> None:
    raw = body(
        ("antwort", None, b"Hier."),
        ("dateien", "", b""),  # the empty file input of a form sent without a file
        ("dateien", "virus.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("dateien", "leer.pdf", b""),
        ("dateien", "gross.pdf", PDF + b"x" * 5000),
        ("dateien", "eins.pdf", PDF),
        ("dateien", "zwei.pdf", PDF),
        ("dateien", "drei.pdf", PDF),
    )
    form, refusals = await receive_form(request(raw), RULE, KEY, "dateien", namer())
    assert form.fields == {"antwort": "Hier."}
    assert [received.filename for _, received in form.files] == ["eins.pdf", "zwei.pdf"]
    assert refusals == [
        "„virus.pdf“ ist keine JPEG, PDF oder PNG-Datei (erkannt am Inhalt).",
        "„leer.pdf“ ist leer.",
        "„gross.pdf“ ist zu groß (höchstens 4 KB).",
        "Es sind höchstens 2 Dateien möglich.",
    ]
    form.close()


async def test_a_body_over_the_limit_or_not_multipart_is_refused_whole() -> None:
    too_large = body(("dateien", "a.pdf", PDF + b"x" * 20_000), ("antwort", None, b"x" * 140_000))
    with pytest.raises(UploadRefused) as refused:
        await receive_form(request(too_large), RULE, KEY, "dateien", namer())
    assert refused.value.status == 413
    plain = Request(
        {"type": "http", "method": "POST", "headers": [(b"content-type", b"text/plain")]},
        request(b"").receive,
    )
    with pytest.raises(UploadRefused) as refused:
        await receive_form(plain, RULE, KEY, "dateien", namer())
    assert refused.value.status == 415
