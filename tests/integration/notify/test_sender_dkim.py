"""Mail goes out DKIM-signed where a key is configured, and the signature checks out.

The sender signs with an RSA key of the test's own; the mail arriving at a real SMTP server
(aiosmtpd) is verified by dkimpy against that key's public half, served as the TXT record the
sending domain would publish. A mail changed on its way fails the check. A key that is none
refuses notify's start.
"""

from __future__ import annotations

import base64
from pathlib import Path

import asyncpg
import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from runtime.ids import new_id
from runtime.service import Runtime
from runtime.settings import SettingsRefused, load_settings
from services.notify.sender import Baton, Sender
from services.notify.settings import NotifySettings
from tests.integration.notify.conftest import HOLDER, queued
from tests.support.mail import SmtpServer

DOMAIN = "rathauscloud.example"
SELECTOR = "rc2026"


def dns_of(key: rsa.RSAPrivateKey) -> object:
    """The TXT record ``rc2026._domainkey.rathauscloud.example`` — and no other name."""
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return lookup


def signing_key(path: Path) -> rsa.RSAPrivateKey:
    """A new RSA key for the test's sending domain, written to ``path`` as notify reads it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return key


async def test_a_mail_is_signed_for_the_sender_domain_and_verifies(
    rt: Runtime, smtp: SmtpServer, database_url: str, tmp_path: Path
) -> None:
    key_file = tmp_path / "dkim.pem"
    key = signing_key(key_file)
    settings = NotifySettings(
        environment="test",
        smtp_port=smtp.port,
        sender_domain=DOMAIN,
        dkim_selector=SELECTOR,
        dkim_key_file=key_file,
    )
    data_key = str(new_id())
    await rt.keys.create(data_key)
    await queued(rt.pool, data_key, "jürgen.müller@beispiel.de")  # SMTPUTF8 on the way
    sender = Sender(rt, settings, Baton(), HOLDER)
    presence = await asyncpg.connect(database_url)
    await presence.execute("SELECT pg_advisory_lock($1)", HOLDER)
    try:
        assert await sender.deliver_one() is True
    finally:
        await presence.close()

    [raw] = smtp.mailbox.raw
    assert raw.startswith(b"DKIM-Signature: ")
    assert f"d={DOMAIN}".encode() in raw.split(b"\r\n\r\n", 1)[0]
    assert dkim.verify(raw, dnsfunc=dns_of(key)) is True
    assert smtp.mailbox.messages[0]["To"] == "jürgen.müller@beispiel.de"
    changed = raw.replace(b"Text", b"Txet")
    assert dkim.verify(changed, dnsfunc=dns_of(key)) is False
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert dkim.verify(raw, dnsfunc=dns_of(other)) is False


def test_a_selector_without_a_readable_rsa_key_refuses_the_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RATHAUS_ENVIRONMENT", "test")
    monkeypatch.setenv("NOTIFY_DKIM_SELECTOR", SELECTOR)
    with pytest.raises(SettingsRefused, match="go together"):
        load_settings(NotifySettings)
    broken = tmp_path / "dkim.pem"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nkein Schlüssel\n-----END PRIVATE KEY-----\n")
    monkeypatch.setenv("NOTIFY_DKIM_KEY_FILE", str(broken))
    with pytest.raises(SettingsRefused, match="no readable PEM private key"):
        load_settings(NotifySettings)
