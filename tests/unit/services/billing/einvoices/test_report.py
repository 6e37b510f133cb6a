"""The report a supplier reads: German, accessible HTML with every finding, escaped; and JSON."""

from __future__ import annotations

import json

from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

from services.billing.einvoices.check import check_invoice, render_report_html, report_json
from services.billing.einvoices.report import render_report_fragment
from tests.unit.services.billing.einvoices.suite import UBL_BASE
from tests.unit.services.billing.einvoices.variants import removed, set_to, variant


def test_a_rejected_invoice_reports_each_step_and_finding() -> None:
    verdict = check_invoice(variant(UBL_BASE, removed("/*/cbc:BuyerReference")))
    page = lxml_html.fromstring(render_report_html(verdict))
    assert page.get("lang") == "de"
    assert "abgelehnt" in page.findtext(".//title")
    status = page.find(".//*[@role='status']")
    assert "Ergebnis: abgelehnt." in status.text_content()
    rows = [
        " ".join(" ".join(cell.text_content() for cell in row).split()) for row in page.iter("tr")
    ]
    assert "4. Geschäftsregeln der XRechnung nicht bestanden 2" in rows
    assert any(r.startswith("BR-DE-15 Fehler [BR-DE-15]") and "/Invoice[1]" in r for r in rows)
    assert all(t.find("caption") is not None for t in page.iter("table"))


def test_what_the_sender_wrote_is_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    verdict = check_invoice(
        variant(
            UBL_BASE,
            set_to(
                "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
                hostile,
            ),
        )
    )
    assert verdict.data is not None
    assert verdict.data.seller.name == hostile
    for rendered in (render_report_html(verdict), render_report_fragment(verdict)):
        assert "<script>" not in rendered
        assert "&lt;script&gt;" in rendered


def test_steps_after_a_refusal_did_not_run() -> None:
    document = report_json(check_invoice(b"kein XML"))
    assert [(s["step"], s["result"]) for s in document["steps"]] == [
        ("input", "failed"),
        ("schema", "skipped"),
        ("en16931", "skipped"),
        ("xrechnung", "skipped"),
        ("arithmetic", "skipped"),
    ]
    page = render_report_html(check_invoice(b"kein XML"))
    assert "nicht ausgeführt" in page


def test_the_machine_readable_report_is_json_with_the_data_read() -> None:
    verdict = check_invoice(UBL_BASE.read_bytes())
    document = json.loads(json.dumps(report_json(verdict)))
    assert document["accepted"] is True
    assert [s["result"] for s in document["steps"]] == ["passed"] * 5
    assert document["data"]["invoice_number"] == "123456XX"
    assert document["data"]["payable"] == "336.9"
    assert document["rules"] == verdict.rules
    assert "xml" not in document
    assert document["findings"] == [
        f.model_dump(mode="json") for f in verdict.findings
    ]  # the information-level BR-DE-TMP-32 stays in the report
