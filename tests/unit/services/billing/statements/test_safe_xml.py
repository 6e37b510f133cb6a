"""Hostile XML is refused before it can do harm, and the parser would not be harmed anyway."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.billing.statements.camt import parse_camt
from services.billing.statements.refusals import StatementRefused
from services.billing.statements.safe_xml import _DOCTYPE, MAX_BYTES, hardened_parser, read_xml
from tests.unit.services.billing.statements.camt_files import CAMT053_V02, entry, statement

SECRET = "geheimes-passwort-4711"
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="{ns}"><BkToCstmrStmt>
<GrpHdr><MsgId>&lol9;</MsgId></GrpHdr>
</BkToCstmrStmt></Document>
"""


def with_doctype(doctype: str, message_id: str) -> str:
    """A camt.053 whose message id is an entity reference, under ``doctype``."""
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<Document xmlns="{CAMT053_V02}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{message_id}</MsgId></GrpHdr></BkToCstmrStmt></Document>"
    )


def encoded(text: str, codec: str) -> bytes:
    """The same document in another encoding (with BOM)."""
    declared = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{codec}"?>')
    return declared.encode(codec)


def utf16(text: str) -> bytes:
    """The document in UTF-16, whose DOCTYPE the byte check knows."""
    return encoded(text, "utf-16")


def utf32(text: str) -> bytes:
    """The document in UTF-32: its DOCTYPE passes the byte check, the parsed tree shows it."""
    data = encoded(text, "utf-32")
    assert not any(doctype in data for doctype in _DOCTYPE)
    return data


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets (there must be none)."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(f'<!ENTITY leak "{SECRET}">'.encode())

        def log_message(self, format: str, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def refusal(data: bytes) -> StatementRefused:
    with pytest.raises(StatementRefused) as caught:
        parse_camt(data)
    return caught.value


def test_an_external_file_entity_xxe_is_refused(secret_file: Path) -> None:
    xxe = with_doctype(
        f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "&xxe;"
    )
    refused = refusal(xxe.encode())
    assert refused.code == "doctype"
    assert "DOCTYPE" in refused.message
    assert SECRET not in str(refused.problems)


def test_an_xxe_in_utf16_is_refused(secret_file: Path) -> None:
    xxe = with_doctype(
        f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "&xxe;"
    )
    assert refusal(utf16(xxe)).code == "doctype"


def test_an_xxe_in_utf32_passes_the_byte_check_and_is_refused_after_parsing(
    secret_file: Path,
) -> None:
    xxe = with_doctype(
        f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "&xxe;"
    )
    refused = refusal(utf32(xxe))
    assert refused.code == "doctype"
    assert SECRET not in str(refused.problems)


def test_the_parser_itself_resolves_no_file_entity(secret_file: Path) -> None:
    xxe = with_doctype(
        f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "&xxe;"
    )
    root = etree.fromstring(xxe.encode(), hardened_parser())
    assert SECRET not in etree.tostring(root).decode()


def test_billion_laughs_is_refused() -> None:
    refused = refusal(BILLION_LAUGHS.format(ns=CAMT053_V02).encode())
    assert refused.code == "doctype"


def test_billion_laughs_expands_nothing_in_the_parser_itself() -> None:
    started = time.perf_counter()
    try:
        root = etree.fromstring(BILLION_LAUGHS.format(ns=CAMT053_V02).encode(), hardened_parser())
        size = len(etree.tostring(root))
    except etree.XMLSyntaxError:  # libxml2 ≥ 2.11 stops at its amplification limit
        size = 0
    assert size < 10_000
    assert time.perf_counter() - started < 1.0
    assert refusal(utf16(BILLION_LAUGHS.format(ns=CAMT053_V02))).code == "doctype"


def test_an_external_dtd_is_refused_and_never_fetched(listener: tuple[str, list[str]]) -> None:
    url, requests = listener
    document = with_doctype(f'<!DOCTYPE Document SYSTEM "{url}/evil.dtd">', "&leak;")
    assert refusal(document.encode()).code == "doctype"
    assert refusal(utf16(document)).code == "doctype"
    assert refusal(utf32(document)).code == "doctype"
    root = etree.fromstring(document.encode(), hardened_parser())
    assert SECRET not in etree.tostring(root).decode()
    assert requests == []


def test_an_external_entity_over_http_is_never_fetched(listener: tuple[str, list[str]]) -> None:
    url, requests = listener
    document = with_doctype(f'<!DOCTYPE Document [<!ENTITY x SYSTEM "{url}/x">]>', "&x;")
    assert refusal(utf32(document)).code == "doctype"
    root = etree.fromstring(document.encode(), hardened_parser())
    assert SECRET not in etree.tostring(root).decode()
    assert requests == []


def test_a_file_over_the_limit_is_refused_before_it_is_parsed() -> None:
    garbage = b"<" * (25 * 1024 * 1024)
    refused = refusal(garbage)
    assert refused.code == "too_large"
    assert refused.message == (
        "Die Datei ist 25,0 MB groß; eingelesen werden Kontoauszüge bis 20,0 MB."
    )


def test_a_real_statement_padded_to_25_mb_is_refused() -> None:
    padded = statement(entry()).replace(b"<Document", b" " * (25 * 1024 * 1024) + b"<Document")
    assert len(padded) > MAX_BYTES
    assert refusal(padded).code == "too_large"
    assert len(parse_camt(statement(entry()))) == 1


def test_the_limit_can_be_set_lower() -> None:
    with pytest.raises(StatementRefused) as caught:
        parse_camt(statement(entry()), max_bytes=1000)
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"   \n", "Die Datei ist leer."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "Die Datei ist kein wohlgeformtes XML"),
        (b"Buchungstag;Valuta;Betrag\n20.11.2026;20.11.2026;26,00", "kein wohlgeformtes XML"),
        (b'<Document xmlns="' + CAMT053_V02.encode() + b'"><BkToCstmrStmt>', "kein wohlgeformt"),
    ],
)
def test_what_is_not_xml_is_refused(data: bytes, message: str) -> None:
    refused = refusal(data)
    assert refused.code == "not_xml"
    assert message in refused.message


def test_nesting_beyond_libxml2s_limit_is_refused() -> None:
    deep = b"<a>" * 20_000 + b"</a>" * 20_000
    with pytest.raises(StatementRefused) as caught:
        read_xml(deep)
    assert caught.value.code == "not_xml"
