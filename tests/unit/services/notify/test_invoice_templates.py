"""The mails about incoming e-invoices: the rejection to the supplier, a deadline to the desk."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from services.notify.domain.invoice_templates import invoice_deadline_near, invoice_rejection
from tests.unit.services.notify.test_case_templates import WURZEN


def test_the_rejection_names_the_invoice_and_every_reason() -> None:
    message = invoice_rejection(
        replace(WURZEN, office="Rechnungseingang"),
        seller_name="Lieferant GmbH",
        invoice_number="471102",
        reasons=["Die Leistung wurde nicht erbracht.", "Der Preis weicht vom Angebot ab."],
    )
    assert message.subject == f"Rechnung 471102 zurückgewiesen – {WURZEN.official_name}"
    assert "Ihre Rechnung Nr. 471102 (Lieferant GmbH)" in message.body
    assert "Sie wird nicht bezahlt." in message.body
    assert (
        "Gründe:\n- Die Leistung wurde nicht erbracht.\n- Der Preis weicht vom Angebot ab.\n"
        in message.body
    )
    assert "neuer Rechnungsnummer" in message.body
    assert message.body.endswith(replace(WURZEN, office="Rechnungseingang").signature())


def test_a_discount_date_near_says_what_is_paid_by_then() -> None:
    message = invoice_deadline_near(
        WURZEN,
        kind="discount",
        deadline=date(2026, 11, 3),
        amount=Decimal("10344.19"),
        invoice_number="471102",
        seller_name="Lieferant GmbH",
    )
    assert message.subject == "Skontofrist am 03.11.2026: Rechnung 471102 (Lieferant GmbH)"
    assert "endet die Skontofrist am 03.11.2026" in message.body
    assert "Bei Zahlung bis zu diesem Tag sind zu überweisen: 10.344,19 €" in message.body


def test_a_due_date_near() -> None:
    message = invoice_deadline_near(
        WURZEN,
        kind="due",
        deadline=date(2026, 11, 20),
        amount=Decimal("336.90"),
        invoice_number="1",
        seller_name="S",
    )
    assert message.subject.startswith("Fälligkeit am 20.11.2026")
    assert "Fälliger Betrag: 336,90 €" in message.body
