"""DKIM signatures on outgoing mail (RFC 6376), with dkimpy, where a key is configured.

A receiving server checks the signature against the public key the sending domain publishes in
DNS (``<selector>._domainkey.<domain>``, a TXT record ``v=DKIM1; k=rsa; p=…``): a town's mail
that was changed on its way, or that someone else sent in the suite's name, fails the check.
notify signs the headers a reader trusts (From, To, Subject, Date, Message-ID, Reply-To and the
MIME structure) and the whole body (relaxed/simple canonicalisation). The key is an RSA private
key in PEM (``NOTIFY_DKIM_KEY_FILE``), the selector ``NOTIFY_DKIM_SELECTOR``, the domain the
sender domain the mail is from (``NOTIFY_SENDER_DOMAIN``).
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email.message import EmailMessage

import dkim

SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
    b"content-transfer-encoding",
)
ASCII_WIRE = email.policy.SMTP
"""How a mail is put on the wire: CRLF line ends, non-ASCII header text as encoded words."""
UTF8_WIRE = email.policy.SMTPUTF8.clone(max_line_length=998)
"""For an address that needs SMTPUTF8: UTF-8 headers, folded only beyond RFC 5322's limit
(the standard policy folds a long UTF-8 subject before its first word, and readers then
show it with a leading space)."""


def needs_smtputf8(mail: EmailMessage) -> bool:
    """Whether an address of the mail is not ASCII (then it travels with SMTPUTF8)."""
    return not all(str(mail.get(name, "")).isascii() for name in ("From", "To", "Reply-To"))


@dataclass(frozen=True)
class DkimKey:
    """One sending domain's selector and private key."""

    domain: str
    selector: str
    private_key: bytes


def signed(mail: EmailMessage, key: DkimKey) -> bytes:
    """The mail's bytes as they go out, with its ``DKIM-Signature`` header first: 7-bit
    headers unless an address needs SMTPUTF8 (as an unsigned mail goes out)."""
    raw = mail.as_bytes(policy=UTF8_WIRE if needs_smtputf8(mail) else ASCII_WIRE)
    signature = dkim.sign(
        raw,
        key.selector.encode(),
        key.domain.encode(),
        key.private_key,
        include_headers=[h for h in SIGNED_HEADERS if mail.get(h.decode()) is not None],
        linesep=b"\r\n",
    )
    return bytes(signature) + raw
