"""Which town a fetched invoice mail was delivered to, from its headers."""

from __future__ import annotations

from email.message import EmailMessage

from services.billing.invoice_imap import delivered_to

ADDRESSES = {"e-rechnung@wurzen.rathauscloud.example", "e-rechnung@augustusburg.example"}


def is_invoice_address(address: str) -> bool:
    return address.strip().lower() in ADDRESSES


def mail(**headers: str) -> bytes:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Anbei die Rechnung.")
    return message.as_bytes()


def test_the_provider_s_delivered_to_names_the_town_before_the_visible_recipients() -> None:
    raw = mail(
        Delivered_To="E-Rechnung@augustusburg.example",
        To="Stadt Wurzen <e-rechnung@wurzen.rathauscloud.example>",
    )
    assert delivered_to(raw, is_invoice_address) == "e-rechnung@augustusburg.example"


def test_an_invoice_address_among_other_recipients_is_found_in_to_or_cc() -> None:
    raw = mail(
        To="buchhaltung@lieferant.example",
        Cc="Stadt Wurzen <E-RECHNUNG@wurzen.rathauscloud.example>, chef@lieferant.example",
    )
    assert delivered_to(raw, is_invoice_address) == "e-rechnung@wurzen.rathauscloud.example"


def test_a_mail_to_no_invoice_address_is_left_to_the_leitweg_id() -> None:
    assert delivered_to(mail(To="info@wurzen.de"), is_invoice_address) is None
    assert delivered_to(mail(Subject="ohne Empfänger"), is_invoice_address) is None
