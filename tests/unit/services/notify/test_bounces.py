"""Reading delivery status notifications (RFC 3464) as mail servers send them, and VERP."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from services.notify.domain.bounces import (
    NotADeliveryReport,
    message_of_id,
    message_of_verp,
    parse_report,
    verp_address,
    without_addresses,
)

MESSAGE = UUID("1b4e28ba-2fa1-41d2-883f-0016d3cca427")

POSTFIX_BOUNCE = f"""\
Return-Path: <>
Received: from mx.beispiel.de (mx.beispiel.de [192.0.2.25])
\tby mail.rathauscloud.example (Postfix) with ESMTP id 9F3E21A0
\tfor <bounce+{MESSAGE}@rathauscloud.example>; Tue,  1 Dec 2026 10:30:02 +0100 (CET)
From: MAILER-DAEMON@mx.beispiel.de (Mail Delivery System)
To: bounce+{MESSAGE}@rathauscloud.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-Id: <20261201093000.4A1B2C3D@mx.beispiel.de>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="4A1B2C3D.1764585000/mx.beispiel.de"

This is a MIME-encapsulated message.

--4A1B2C3D.1764585000/mx.beispiel.de
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.beispiel.de.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<hedwig.quirinus@beispiel.de>: host mail.beispiel.de[192.0.2.30] said: 550 5.1.1
    <hedwig.quirinus@beispiel.de>: Recipient address rejected: User unknown

--4A1B2C3D.1764585000/mx.beispiel.de
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.beispiel.de
X-Postfix-Queue-ID: 4A1B2C3D
X-Postfix-Sender: rfc822; bounce+{MESSAGE}@rathauscloud.example
Arrival-Date: Tue,  1 Dec 2026 10:29:58 +0100 (CET)

Final-Recipient: rfc822; hedwig.quirinus@beispiel.de
Original-Recipient: rfc822;hedwig.quirinus@beispiel.de
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.beispiel.de
Diagnostic-Code: smtp; 550 5.1.1 <hedwig.quirinus@beispiel.de>: Recipient address
    rejected: User unknown in virtual mailbox table

--4A1B2C3D.1764585000/mx.beispiel.de
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Stadt Wurzen <noreply@rathauscloud.example>
To: hedwig.quirinus@beispiel.de
Subject: =?utf-8?q?Eingangsbest=C3=A4tigung?=
Message-ID: <{MESSAGE}@rathauscloud.example>
Auto-Submitted: auto-generated

--4A1B2C3D.1764585000/mx.beispiel.de--
""".replace("\n", "\r\n").encode()

DELAYED_NOTICE = f"""\
From: postmaster@relay.example.net
To: noreply@rathauscloud.example
Subject: Delayed Mail (still being retried)
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="xyzzy"

--xyzzy
Content-Type: text/plain

Your message has not been delivered yet. We keep trying for four more days.

--xyzzy
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net
Original-Envelope-Id: 7QHNJ3

Final-Recipient: rfc822; amt@landkreis.example
Action: delayed
Status: 4.4.1 (no answer from host)
Diagnostic-Code: X-Postfix; connect to mx.landkreis.example[198.51.100.7]:25:
    Connection timed out
Will-Retry-Until: Sat, 5 Dec 2026 10:29:58 +0000

--xyzzy
Content-Type: message/rfc822

From: Stadt Wurzen <noreply@rathauscloud.example>
To: amt@landkreis.example
Subject: Anhoerung
Message-ID: <{MESSAGE}@rathauscloud.example>

Der Text.

--xyzzy--
""".encode()


def test_a_postfix_bounce_is_a_failure_of_the_recipient_with_its_code() -> None:
    report = parse_report(POSTFIX_BOUNCE)
    status = report.relevant
    assert status is not None
    assert status.action == "failed"
    assert status.outcome == "bounced"
    assert status.status == "5.1.1"
    assert status.final_recipient == "hedwig.quirinus@beispiel.de"
    assert status.diagnostic == (
        "550 5.1.1 <hedwig.quirinus@beispiel.de>: Recipient address rejected:"
        " User unknown in virtual mailbox table"
    )
    assert report.original_message_ids == (f"<{MESSAGE}@rathauscloud.example>",)
    assert report.report_key == "id:<20261201093000.4A1B2C3D@mx.beispiel.de>"


def test_a_delayed_notice_is_a_deferral_until_the_server_gives_up() -> None:
    report = parse_report(DELAYED_NOTICE)
    status = report.relevant
    assert status is not None
    assert status.outcome == "deferred"
    assert status.status == "4.4.1"
    assert status.final_recipient == "amt@landkreis.example"
    assert status.will_retry_until == datetime(2026, 12, 5, 10, 29, 58, tzinfo=UTC)
    assert status.diagnostic is not None
    assert "Connection timed out" in status.diagnostic
    # The returned message names notify's message (the DSN went to the plain From address).
    assert [message_of_id(m) for m in report.original_message_ids] == [MESSAGE]
    # No Message-ID of its own: the same report is known by its status part.
    assert report.report_key.startswith("sha256:")
    assert parse_report(DELAYED_NOTICE).report_key == report.report_key
    relayed = b"Received: from somewhere\r\n" + DELAYED_NOTICE.replace(b"\n", b"\r\n")
    assert parse_report(relayed).report_key == report.report_key


def test_a_failure_decides_before_a_delay_and_a_success_changes_nothing() -> None:
    mixed = DELAYED_NOTICE.replace(
        b"Final-Recipient: rfc822; amt@landkreis.example\n",
        b"Final-Recipient: rfc822; ok@example.org\nAction: delivered\nStatus: 2.0.0\n\n"
        b"Final-Recipient: rfc822; amt@landkreis.example\n",
    )
    assert parse_report(mixed).relevant is not None
    delivered = DELAYED_NOTICE.replace(b"Action: delayed", b"Action: delivered").replace(
        b"Status: 4.4.1", b"Status: 2.0.0"
    )
    report = parse_report(delivered)
    assert report.relevant is None
    assert report.recipients[0].outcome is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not a report"),
        (b"\x00\xff\xfe garbage \r\n\r\n\x00", "not a report"),
        (b"From: a@b.de\r\nSubject: Urlaub\r\n\r\nIch bin im Urlaub.", "not a report"),
        (
            b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=disposition-"
            b'notification; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--',
            "not of delivery status",
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
            b' boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--',
            "no message/delivery-status part",
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
            b' boundary="b"\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n'
            b"Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@b.de\r\n\r\n--b--",
            "no recipient with an action",
        ),
        (b"Content-Type: multipart/report; report-type=delivery-status\r\n\r\nkaputt", "part"),
    ],
)
def test_anything_else_is_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(NotADeliveryReport, match=reason):
        parse_report(raw)


def test_the_verp_address_names_the_message_and_nothing_else_does() -> None:
    address = verp_address(MESSAGE, "bounce", "rathauscloud.example")
    assert address == f"bounce+{MESSAGE}@rathauscloud.example"
    assert message_of_verp(address, "bounce") == MESSAGE
    assert message_of_verp(f"<{address.upper()}>", "bounce") == MESSAGE
    assert message_of_verp("noreply@rathauscloud.example", "bounce") is None
    assert message_of_verp("bounce+kein-uuid@rathauscloud.example", "bounce") is None
    assert message_of_verp(f"other+{MESSAGE}@rathauscloud.example", "bounce") is None
    assert message_of_id(f"<{MESSAGE}@rathauscloud.example>") == MESSAGE
    assert message_of_id("<20261201093000.4A1B2C3D@mx.beispiel.de>") is None


def test_addresses_are_taken_out_of_a_diagnostic() -> None:
    text = "550 5.1.1 <hedwig.quirinus@beispiel.de>: Recipient address rejected (x@y.de)"
    assert without_addresses(text) == "550 5.1.1 <…>: Recipient address rejected (…)"
