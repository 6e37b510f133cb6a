"""What the sender writes about a failure: never the address an SMTP reply quotes."""

from __future__ import annotations

import aiosmtplib

from services.notify.sender import describe


def test_an_smtp_error_is_described_without_the_address_it_quotes() -> None:
    refused = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(550, "<anna@example.org>: rejected", "anna@example.org")]
    )
    assert describe(refused) == "SMTPRecipientsRefused: SMTP 550"
    reply = aiosmtplib.SMTPResponseException(552, "anna@example.org: mailbox full")
    assert describe(reply) == "SMTPResponseException: SMTP 552"


def test_other_errors_keep_only_their_kind_unless_they_concern_the_connection() -> None:
    assert describe(ValueError("a@[b.de is odd")) == "ValueError"
    refused = describe(ConnectionRefusedError(111, "Connection refused"))
    assert refused == "ConnectionRefusedError: [Errno 111] Connection refused"
