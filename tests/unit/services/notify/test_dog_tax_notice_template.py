"""The dog-tax notice's mail: the year's tax, its instalments, and how they are paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.notify.domain.tax_templates import TaxPayment, dog_tax_notice
from tests.unit.services.notify.test_case_templates import WURZEN

PAYMENT = TaxPayment(
    amount=Decimal("252.00"),
    instalments=(
        (date(2027, 2, 15), Decimal("63.00")),
        (date(2027, 5, 15), Decimal("63.00")),
        (date(2027, 8, 15), Decimal("63.00")),
        (date(2027, 11, 15), Decimal("63.00")),
    ),
    cash_reference="14729410-2027-000042",
    payee="Stadtkasse Wurzen",
    iban="DE51860555920000729410",
    bic="WELADE8LXXX",
)


def mail(payment: TaxPayment = PAYMENT) -> tuple[str, str]:
    message = dog_tax_notice(
        WURZEN,
        name="Hedwig Quirinus-Zwetschgenbaum",
        year=2027,
        filename="hundesteuerbescheid-2027-1.pdf",
        payment=payment,
    )
    return message.subject, message.body


def test_the_mail_lists_the_instalments_and_what_a_transfer_needs() -> None:
    subject, body = mail()

    assert subject == "Hundesteuerbescheid 2027 – Kassenzeichen 14729410-2027-000042"
    assert body.startswith("Guten Tag Hedwig Quirinus-Zwetschgenbaum,\n\n")
    for line in (
        "den Hundesteuerbescheid für das Jahr 2027 (hundesteuerbescheid-2027-1.pdf)",
        "Hundesteuer 2027: 252,00 €\n",
        "Kassenzeichen: 14729410-2027-000042\n",
        "Fälligkeiten:\n  15.02.2027: 63,00 €\n  15.05.2027: 63,00 €\n",
        "  15.11.2027: 63,00 €\n",
        "IBAN: DE51 8605 5592 0000 7294 10\n",
        "GiroCode (QR-Code) auf dem Bescheid enthält die erste Rate",
        WURZEN.signature(),
    ):
        assert line in body, line
    assert "Lastschrift" not in body
    assert "Antragskennung:" not in body  # the acknowledgement's alone


def test_a_direct_debit_asks_for_no_transfer() -> None:
    _, body = mail(TaxPayment(**{**PAYMENT.__dict__, "mandate_reference": "HST-1"}))

    assert "per SEPA-Lastschrift von Ihrem Konto eingezogen (Mandatsreferenz HST-1)" in body
    assert "Sie brauchen nichts zu überweisen" in body
    assert "IBAN:" not in body
    assert "GiroCode" not in body
