"""The skeleton benchmark recognises notify's mails: acknowledgement, letter, fee notice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any

from bench.skeleton import ACKNOWLEDGED, LETTER, NOTICE, Clock, MailSink, _plain_text
from services.notify.domain.templates import (
    Letterhead,
    Payment,
    acknowledgement,
    decision,
    fee_notice,
)

TOWN = Letterhead(
    official_name="Stadt Wurzen",
    authority="Stadtverwaltung",
    office="Gewerbeamt",
    street="Friedrich-Ebert-Straße 2",
    postcode="04808",
    city="Wurzen",
    phone="03425 1234",
    email="gewerbe@wurzen.example",
    website="https://wurzen.example",
)
APPLICATION = "0b7f4c7e-3f43-4c39-9a53-5b1f0a0e2d11"


def mailed(body: str, attachment: bool = False, cte: str = "quoted-printable") -> bytes:
    """The mail as notify sends it: quoted-printable (or 8-bit) text, a PDF attached where
    there is one."""
    message = EmailMessage()
    message["Subject"] = "Bescheid"
    message.set_content(body, cte=cte)
    if attachment:
        message.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf")
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as the sink receives it


def the_three_mails() -> tuple[Any, Any, Any]:
    ack = acknowledgement(
        TOWN,
        name="Erika Muster",
        procedure="gewerbeanmeldung",
        application_id=APPLICATION,
        submitted_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        tracking_url=None,
        case_number="WUR-2026-000042",
    )
    letter = decision(
        TOWN,
        name="Erika Muster",
        procedure="gewerbeanmeldung",
        case_number="WUR-2026-000042",
        document_title="Bescheid",
        filename="bescheid.pdf",
    )
    notice = fee_notice(
        TOWN,
        name="Erika Muster",
        procedure="gewerbeanmeldung",
        case_number="WUR-2026-000042",
        filename="gebuehrenbescheid.pdf",
        payment=Payment(
            Decimal("26.00"), date(2026, 12, 31), "WUR-G-1", "Stadt Wurzen", "DE0", "X"
        ),
    )
    return ack, letter, notice


def test_the_three_mails_of_an_application_are_told_apart_and_matched() -> None:
    ack, letter, notice = the_three_mails()
    texts = [_plain_text(mailed(m.body, attachment=m is not ack)) for m in (ack, letter, notice)]
    found = ACKNOWLEDGED.search(texts[0])
    assert found is not None
    assert found.groups() == ("WUR-2026-000042", APPLICATION)
    assert (LETTER.search(texts[1]) or [None, None])[1] == "WUR-2026-000042"
    assert (NOTICE.search(texts[2]) or [None, None])[1] == "WUR-2026-000042"
    assert LETTER.search(texts[2]) is None
    assert NOTICE.search(texts[1]) is None

    clock = Clock(case_numbers={APPLICATION: "WUR-2026-000042"})
    assert not clock.documented([APPLICATION])
    clock.letters["WUR-2026-000042"] = 1.0
    clock.notices["WUR-2026-000042"] = 2.0
    assert clock.documented([APPLICATION])
    assert clock.notice_of(APPLICATION) == 2.0


async def test_the_sink_reads_acknowledgements_at_once_and_documents_when_counted() -> None:
    ack, letter, notice = the_three_mails()
    clock = Clock()
    sink = MailSink(clock)
    for content in (
        mailed(letter.body, attachment=True),
        mailed(notice.body, attachment=True),
        mailed(ack.body, cte="8bit"),  # read from its text as it is
    ):
        await sink.handle_DATA(None, None, SimpleNamespace(content=content))
    assert clock.case_numbers == {APPLICATION: "WUR-2026-000042"}
    assert APPLICATION in clock.mailed
    assert (clock.letters, len(clock.unread)) == ({}, 2)  # not read yet
    assert clock.documented([APPLICATION])
    assert clock.letters["WUR-2026-000042"] < clock.notices["WUR-2026-000042"]
    assert clock.notices["WUR-2026-000042"] < clock.mailed[APPLICATION]  # as they arrived

    html = f"<p>Vorgangsnummer: WUR-2026-000042<br>\r\nAntragskennung: {APPLICATION}</p>"
    assert (ACKNOWLEDGED.search(html) or [None, None])[1] == "WUR-2026-000042"

    encoded = mailed(ack.body, cte="base64")
    assert b"Antragskennung" not in encoded
    parsed = Clock()
    await MailSink(parsed).handle_DATA(None, None, SimpleNamespace(content=encoded))
    assert parsed.case_numbers == {APPLICATION: "WUR-2026-000042"}  # parsed after all
