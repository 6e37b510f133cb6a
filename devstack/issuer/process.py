"""The development issuer as a process of the stack (and of the tests): start, ready, stop.

It runs as ``python -m devstack.issuer`` in a process of its own rather than in a thread of
``start``: the stack's keeper watches and restarts it like any service, its log has a file of
its own, and the services meet it over HTTP as they would meet Keycloak. Its key is kept in
the data folder, so a restart changes nothing for tokens already handed out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ISSUER_PORT = 8010
OPERATOR_CLIENT = ("rathaus-operator", "dev-operator-secret")
"""The demo operator client of ``demo.toml`` (development only)."""
DESK_CLIENT = ("rathaus-desk", "dev-desk-secret")
"""The demo client the clerks' desk signs in with (``demo.toml``; development only)."""


@dataclass
class IssuerProcess:
    """``python -m devstack.issuer`` on a port, with its key under ``data_dir/issuer``."""

    port: int
    data_dir: Path
    log_path: Path
    cwd: Path
    process: subprocess.Popen[bytes] | None = None

    name = "issuer"

    @property
    def url(self) -> str:
        """The issuer's URL (its ``iss``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def location(self) -> str:
        """Where it answers (for the console)."""
        return self.url

    @property
    def exit_code(self) -> int | None:
        """The exit status once it has ended (collecting it), else ``None``."""
        return None if self.process is None else self.process.poll()

    def start(self) -> IssuerProcess:
        """Start the process; its output goes to ``log_path``."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "devstack.issuer"),
                    *("--port", str(self.port), "--data-dir", str(self.data_dir)),
                ],
                cwd=self.cwd,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def restart(self) -> None:
        """Start again after a crash, on the same port and with the same key."""
        if self.exit_code is None:
            raise RuntimeError(f"the issuer still runs (pid {self.process and self.process.pid})")
        self.start()

    def is_ready(self) -> bool:
        """Whether its discovery document answers."""
        url = f"{self.url}/.well-known/openid-configuration"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return bool(answer.status == 200)
        except (OSError, ValueError, urllib.error.URLError):
            return False

    def wait_ready(self, timeout: float = 30.0) -> IssuerProcess:
        """Block until it answers; ``RuntimeError`` with its log's end if it does not."""
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if self.exit_code is not None or time.monotonic() > deadline:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the issuer did not start at {self.url}:\n{tail}")
            time.sleep(0.1)
        return self

    def stop(self) -> bool:
        """Stop it (SIGTERM, then SIGKILL); whether it was running."""
        if self.process is None or self.process.poll() is not None:
            return False
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return True


def token_command(issuer_url: str, client: tuple[str, str] = OPERATOR_CLIENT) -> str:
    """A curl line that fetches an operator token by client credentials."""
    client_id, secret = client
    return f"curl -s -u {client_id}:{secret} -d grant_type=client_credentials {issuer_url}/token"
