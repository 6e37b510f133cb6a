"""The fee notice's mail: what to pay, by when, to whom; no application id."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.notify.domain import templates
from services.notify.domain.templates import Payment
from tests.unit.services.notify.test_case_templates import WURZEN

PAYMENT = Payment(
    amount=Decimal("1234.50"),
    due_date=date(2026, 6, 3),
    cash_reference="14729410-2026-000017",
    payee="Stadtkasse Wurzen",
    iban="DE51860555920000729410",
    bic="WELADE8LXXX",
)


def test_the_fee_notice_mail_says_what_a_transfer_needs() -> None:
    message = templates.fee_notice(
        WURZEN,
        name="Hedwig Quirinus-Zwetschgenbaum",
        procedure="gewerbeanmeldung",
        case_number="WUR-2026-000017",
        filename="gebuehrenbescheid-1.pdf",
        payment=PAYMENT,
    )

    assert message.subject == (
        "Gebührenbescheid: Gewerbeanmeldung – Kassenzeichen 14729410-2026-000017"
    )
    assert message.body.startswith("Guten Tag Hedwig Quirinus-Zwetschgenbaum,\n\n")
    for line in (
        "(Vorgangsnummer WUR-2026-000017) werden Gebühren erhoben.",
        "im Anhang dieser E-Mail (gebuehrenbescheid-1.pdf)",
        "Betrag: 1.234,50 €\n",
        "Fällig am: 03.06.2026\n",
        "Kassenzeichen: 14729410-2026-000017\n",
        "Empfänger: Stadtkasse Wurzen\n",
        "IBAN: DE51 8605 5592 0000 7294 10\n",
        "BIC: WELADE8LXXX\n",
        "GiroCode (QR-Code) auf dem Bescheid",
        WURZEN.signature(),
    ):
        assert line in message.body, line
    # tests/support/chaos.py counts acknowledgements by this line: a notice must not have it.
    assert "Antragskennung:" not in message.body


def test_a_notice_with_an_xrechnung_says_it_is_attached_and_that_the_notice_counts() -> None:
    common: dict[str, Any] = {
        "name": "Gerüstbau Zwetschgenbaum GmbH",
        "procedure": "sondernutzungserlaubnis",
        "case_number": "WUR-2026-000042",
        "filename": "gebuehrenbescheid-1.pdf",
        "payment": PAYMENT,
    }
    plain = templates.fee_notice(WURZEN, **common)
    message = templates.fee_notice(
        WURZEN,
        **common,
        xrechnung="xrechnung-14729410-2026-000017.xml",
    )

    assert "XRechnung" not in plain.body
    assert (
        "Wie von Ihnen gewünscht, liegt die Rechnung außerdem als E-Rechnung im Format"
        " XRechnung bei (xrechnung-14729410-2026-000017.xml). Maßgeblich ist der"
        " Gebührenbescheid.\n\n"
    ) in message.body
    assert message.subject == plain.subject


def test_the_xrechnung_alone_names_the_invoice_and_nothing_of_the_application() -> None:
    message = templates.fee_invoice(
        WURZEN,
        procedure="sondernutzungserlaubnis",
        case_number="WUR-2026-000042",
        filename="xrechnung-14729410-2026-000017.xml",
        payment=PAYMENT,
    )

    assert message.subject.startswith("E-Rechnung 14729410-2026-000017: Sondernutzungserlaubnis")
    assert message.body.startswith("Guten Tag,\n\n")
    for line in (
        "als E-Rechnung im Format XRechnung (xrechnung-14729410-2026-000017.xml)",
        "Rechnungsnummer (Kassenzeichen): 14729410-2026-000017\n",
        "Betrag: 1.234,50 €\n",
        "Fällig am: 03.06.2026\n",
        "IBAN: DE51 8605 5592 0000 7294 10\n",
    ):
        assert line in message.body
    assert "Antragskennung" not in message.body
