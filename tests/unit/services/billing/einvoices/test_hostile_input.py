"""Hostile or wrong input is refused in the input step, before any rule runs, with a German
reason; a ZUGFeRD / Factur-X PDF is accepted only with an EN 16931 or XRECHNUNG CII inside."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import facturx  # type: ignore[import-untyped,unused-ignore]
import pytest
from fpdf import FPDF

from services.billing.einvoices.check import check_invoice
from services.billing.einvoices.verdict import Verdict
from tests.unit.services.billing.einvoices.suite import CII_BASE, UBL_BASE

SECRET = "geheimes-passwort-4711"
XRECHNUNG_GUIDELINE = b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
LAUGHS = "\n".join(
    f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else ' <!ENTITY lol0 "lol">'
    for i in range(10)
)


def refused(verdict: Verdict, rule_id: str) -> str:
    """The single fatal input finding's message, after checking it is ``rule_id``."""
    assert not verdict.accepted
    assert [(f.step, f.rule_id, f.severity) for f in verdict.findings] == [
        ("input", rule_id, "fatal")
    ]
    assert verdict.data is None
    return verdict.findings[0].message


def with_doctype(doctype: str, note: str) -> str:
    """The valid UBL test invoice with a DOCTYPE and an entity reference in its first note."""
    text = UBL_BASE.read_text()
    text = text.replace('<?xml version="1.0" encoding="UTF-8"?>', "")
    text = text.replace("<cbc:Note>", f"<cbc:Note>{note}", 1)
    return f'<?xml version="1.0"?>\n{doctype}\n{text}'


@pytest.fixture
def listener() -> Iterator[list[str]]:
    """A local HTTP server that records every request it gets (there must be none)."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "y">')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    requests.append(f"http://127.0.0.1:{server.server_port}")
    yield requests
    server.shutdown()


def test_an_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    xml = with_doctype(f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;")
    verdict = check_invoice(xml.encode())
    assert "DOCTYPE" in refused(verdict, "RC-INPUT-04")
    assert SECRET not in repr(verdict)


def test_etc_passwd_is_not_read_either() -> None:
    xml = with_doctype('<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")
    verdict = check_invoice(xml.encode())
    refused(verdict, "RC-INPUT-04")
    assert "root:" not in repr(verdict)


def test_no_network_request_is_made(listener: list[str]) -> None:
    url = listener.pop()
    for xml in (
        with_doctype(f'<!DOCTYPE Invoice SYSTEM "{url}/dtd">', ""),
        with_doctype(f'<!DOCTYPE Invoice [<!ENTITY % p SYSTEM "{url}/p"> %p;]>', ""),
    ):
        refused(check_invoice(xml.encode()), "RC-INPUT-04")
    assert listener == []


def test_billion_laughs_never_expand() -> None:
    xml = with_doctype(f"<!DOCTYPE Invoice [\n{LAUGHS}\n]>", "&lol9;")
    started = time.perf_counter()
    refused(check_invoice(xml.encode()), "RC-INPUT-04")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_doctype_in_another_encoding_is_refused_too(codec: str) -> None:
    xml = with_doctype('<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")
    declared = xml.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{codec}"?>')
    verdict = check_invoice(declared.encode(codec))
    assert verdict.findings[0].rule_id in {"RC-INPUT-04", "RC-INPUT-03"}
    assert not verdict.accepted
    assert "root:" not in repr(verdict)


def test_an_entity_without_a_doctype_is_not_well_formed() -> None:
    xml = UBL_BASE.read_text().replace("<cbc:Note>", "<cbc:Note>&xxe;", 1)
    assert "Zeile" in refused(check_invoice(xml.encode()), "RC-INPUT-03")


def test_a_50_mb_document_is_refused_before_it_is_parsed() -> None:
    head, tail = UBL_BASE.read_bytes().split(b"<cbc:Note>", 1)
    big = head + b"<cbc:Note>" + b"A" * (50 * 1024 * 1024) + tail
    started = time.perf_counter()
    message = refused(check_invoice(big), "RC-INPUT-02")
    assert time.perf_counter() - started < 0.5
    assert message == ("Die Datei ist 50,0 MB groß; angenommen werden Rechnungen bis 20,0 MB.")


def test_the_limit_is_the_callers() -> None:
    assert check_invoice(UBL_BASE.read_bytes(), max_bytes=20 * 1024 * 1024).accepted
    refused(check_invoice(UBL_BASE.read_bytes(), max_bytes=1000), "RC-INPUT-02")


@pytest.mark.parametrize("content", [b"", b"   \n\t "])
def test_an_empty_file_is_refused(content: bytes) -> None:
    assert refused(check_invoice(content), "RC-INPUT-01") == "Die Datei ist leer."


@pytest.mark.parametrize(
    "content", [b"Sehr geehrte Damen und Herren", b"<Invoice>", b"\x89PNG\r\n"]
)
def test_what_is_not_xml_is_refused(content: bytes) -> None:
    message = refused(check_invoice(content), "RC-INPUT-03")
    assert message.startswith("Die Datei ist weder ein PDF noch ein wohlgeformtes XML-Dokument")


def test_xml_that_is_no_invoice_is_refused() -> None:
    message = refused(check_invoice(b"<Rechnung><Betrag>5</Betrag></Rechnung>"), "RC-INPUT-05")
    assert "Wurzelelement ist „Rechnung“" in message


def plain_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Rechnung 123456XX")
    return bytes(pdf.output())


def test_a_pdf_without_xml_contains_no_invoice_data() -> None:
    verdict = check_invoice(plain_pdf())
    assert verdict.kind == "pdf"
    assert refused(verdict, "RC-INPUT-07").startswith("Das PDF enthält keine Rechnungsdaten")


def test_a_damaged_pdf_is_refused() -> None:
    assert "beschädigt" in refused(check_invoice(b"%PDF-1.7\nkaputt"), "RC-INPUT-06")


def factur_x(cii: bytes) -> bytes:
    """A Factur-X PDF made by the reference library from a tiny PDF and ``cii``."""
    return bytes(facturx.generate_from_binary(plain_pdf(), cii, check_xsd=False))


def test_a_factur_x_pdf_with_an_xrechnung_cii_is_accepted_and_read() -> None:
    cii = CII_BASE.read_bytes()
    assert XRECHNUNG_GUIDELINE in cii
    verdict = check_invoice(factur_x(cii))
    assert (verdict.kind, verdict.accepted, verdict.xml) == ("pdf", True, cii)
    assert verdict.data is not None
    assert (verdict.data.invoice_number, verdict.data.buyer_reference) == (
        "123456XX",
        "04011000-12345-03",
    )
    assert str(verdict.data.payable) == "336.9"


def test_a_factur_x_pdf_of_profile_en16931_is_checked_like_xrechnung() -> None:
    cii = CII_BASE.read_bytes().replace(XRECHNUNG_GUIDELINE, b"urn:cen.eu:en16931:2017")
    verdict = check_invoice(factur_x(cii))
    assert verdict.accepted
    assert "BR-DE-21" in {f.rule_id for f in verdict.findings if f.severity == "warning"}


@pytest.mark.parametrize(
    ("guideline", "profile"),
    [
        (b"urn:factur-x.eu:1p0:minimum", "MINIMUM"),
        (b"urn:factur-x.eu:1p0:basicwl", "BASIC WL"),
        (b"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "BASIC"),
        (b"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "EXTENDED"),
    ],
)
def test_a_factur_x_pdf_of_another_profile_is_refused(guideline: bytes, profile: str) -> None:
    cii = CII_BASE.read_bytes().replace(XRECHNUNG_GUIDELINE, guideline)
    message = refused(check_invoice(factur_x(cii)), "RC-INPUT-08")
    assert f"Profil {profile} (" in message
    assert "EN 16931 und XRECHNUNG" in message


def test_a_hostile_cii_inside_a_pdf_is_refused_like_any_other() -> None:
    cii = CII_BASE.read_bytes().replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    )
    verdict = check_invoice(factur_x(cii))
    assert verdict.kind == "pdf"
    refused(verdict, "RC-INPUT-04")
    assert "root:" not in repr(verdict)
