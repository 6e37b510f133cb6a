"""A real IMAP server for tests: pymap's in-memory backend, in a process of its own.

Mails are put into its INBOX with IMAP's own APPEND, and their flags read back with FETCH —
what a provider's mailbox does, over the protocol billing speaks to it.
"""

from __future__ import annotations

import imaplib
import re
import subprocess
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from devstack.embedded import free_port, wait_for_port

USER = "rechnungen"
PASSWORD = "imap-test-passwort"
FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")


@dataclass
class ImapServer:
    """pymap on a free port, without TLS (it is on this machine only)."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> ImapServer:
        pymap = Path(sys.executable).with_name("pymap")
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(pymap), "--host", "127.0.0.1", "--port", str(self.port), "--no-tls",
                 "dict", "--demo-data", "--demo-user", USER, "--demo-password", PASSWORD],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_port(self.port, 30, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        return client

    def deliver(self, message: EmailMessage) -> None:
        """Put a mail into the INBOX, unseen, as the provider's mail server would."""
        client = self._client()
        try:
            status, _ = client.append("INBOX", "", None, message.as_bytes())
            assert status == "OK"
        finally:
            client.logout()

    def flags(self, subject: str) -> set[str]:
        """The flags of the mail with this subject (exactly one must have it)."""
        client = self._client()
        try:
            _, found = client.uid("SEARCH", "SUBJECT", f'"{subject}"')
            [uid] = (found[0] or b"").split()
            _, fetched = client.uid("FETCH", uid.decode(), "(FLAGS)")
        finally:
            client.logout()
        for item in fetched:
            data = item[0] if isinstance(item, tuple) else item
            if isinstance(data, bytes) and (match := FLAGS.search(data)):
                return {flag.decode() for flag in match.group(1).split()}
        raise AssertionError(f"no flags for {subject!r}: {fetched!r}")
