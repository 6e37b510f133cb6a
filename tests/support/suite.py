"""The five services as separate processes, for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from devstack.embedded import free_port

SERVICES = ("intake", "casework", "billing", "archive", "notify")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServiceProcess:
    """One running service."""

    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The service's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the service's log."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Suite:
    """The five services started against given NATS, databases and SMTP."""

    nats_url: str
    database_urls: dict[str, str]
    smtp_port: int
    workdir: Path
    namespace: str = ""
    otlp_endpoint: str = ""
    issuer_url: str = ""
    """The OpenID Connect issuer operator tokens come from (``tests/support/issuer.py``)."""
    audience: str = "rathauscloud"
    extra_env: dict[str, str] = field(default_factory=dict)
    service_env: dict[str, dict[str, str]] = field(default_factory=dict)
    """Variables for one service only (its NATS credentials), by service name."""
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Seals the clerks' desk sessions (a test may seal a cookie with it, or with another)."""

    def env_for(self, name: str, port: int) -> dict[str, str]:
        """The environment of one service process."""
        prefix = name.upper()
        return {
            **os.environ,
            "NATS_URL": self.nats_url,
            "RATHAUS_NAMESPACE": self.namespace,
            "RATHAUS_ENVIRONMENT": "test",
            "RATHAUS_MEMBERS_DIR": str(ROOT / "deploy" / "members"),
            "OTEL_EXPORTER_OTLP_ENDPOINT": self.otlp_endpoint,
            f"{prefix}_DATABASE_URL": self.database_urls[name],
            f"{prefix}_HTTP_PORT": str(port),
            f"{prefix}_HTTP_HOST": "127.0.0.1",
            "NOTIFY_SMTP_HOST": "127.0.0.1",
            "NOTIFY_SMTP_PORT": str(self.smtp_port),
            "NOTIFY_RETRY_BASE_SECONDS": "0.2",
            "NOTIFY_POLL_SECONDS": "0.5",
            # No submission limits: tests and benchmarks post from one address to one
            # recipient; tests/e2e/test_intake_abuse.py sets them.
            "INTAKE_RATE_LIMIT_PER_CLIENT": "",
            "INTAKE_RATE_LIMIT_PER_RECIPIENT": "",
            # casework's timers look every half second, on a clock the test may move.
            "CASEWORK_TIMER_SECONDS": "0.5",
            "BILLING_FINANCE_CLOSE_SECONDS": "0.5",
            # billing's timers (reminders, surcharges, enforcement) too, on the same clock.
            "BILLING_TIMER_SECONDS": "0.5",
            # No e-invoices by mail unless a test asks (the port would clash with a running
            # stack's); tests/e2e/test_incoming_invoices.py gives billing a free port.
            "BILLING_INVOICE_SMTP_PORT": "0",
            "BILLING_INVOICE_WARM_UP": "false",
            # No bounce port either unless a test asks (tests/e2e/test_notify_bounces.py).
            "NOTIFY_BOUNCE_SMTP_PORT": "0",
            "RATHAUS_TEST_CLOCK_FILE": str(self.clock_file),
            "RATHAUS_OIDC_ISSUER": self.issuer_url,
            "RATHAUS_OIDC_AUDIENCE": self.audience,
            # The clerks' desk signs in with the development issuer's desk client.
            "RATHAUS_DESK_CLIENT_ID": "rathaus-desk",
            "RATHAUS_DESK_CLIENT_SECRET": "dev-desk-secret",
            "RATHAUS_SESSION_SECRET": self.session_secret,
            **self.extra_env,
            **self.service_env.get(name, {}),
        }

    @property
    def clock_file(self) -> Path:
        """Where a test moves the services' timer clock (``runtime.clock``): ``+15d``."""
        return self.workdir / "clock"

    def start(self, names: tuple[str, ...] = SERVICES) -> Suite:
        """Start the services and wait until each is ready; on failure leave none running.

        A free port can be taken by another process between its choice and the service's
        bind (many suites start at once under xdist): the service then exits with "address
        already in use" and is started again on another port, twice at most.
        """
        try:
            for name in names:
                self.start_one(name)
            for name in names:
                for attempt in range(3):
                    try:
                        self.wait_ready(name)
                        break
                    except RuntimeError as exc:
                        if "address already in use" not in str(exc) or attempt == 2:
                            raise
                        self.start_one(name)
        except BaseException:
            self.stop()
            raise
        return self

    def start_one(self, name: str) -> ServiceProcess:
        """Start one service process (without waiting)."""
        port = free_port()
        log_path = self.workdir / f"{name}.log"
        log = open(log_path, "ab")  # noqa: SIM115 - handed to the child
        process = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=self.env_for(name, port),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes[name] = ServiceProcess(name, port, log_path, process)
        return self.processes[name]

    def wait_ready(self, name: str, timeout: float = 60.0) -> None:
        """Block until /readyz answers 200."""
        service = self.processes[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{service.log_tail()}")
            try:
                ready = httpx.get(f"{service.url}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                ready = False
            if ready and listens_on(service.process, service.port):
                return  # and not another process that took the port first
            time.sleep(0.1)
        raise TimeoutError(f"{name} not ready after {timeout} s:\n{service.log_tail()}")

    def url(self, name: str) -> str:
        """Base URL of a running service."""
        return self.processes[name].url

    def operator_headers(self) -> dict[str, str]:
        """An operator's ``Authorization`` header: a token of the suite's issuer, fetched by
        client credentials of the development issuer's operator client."""
        assert self.issuer_url, "this suite was started without an issuer (issuer_url)"
        answer = httpx.post(
            f"{self.issuer_url}/token",
            data={"grant_type": "client_credentials"},
            auth=("rathaus-operator", "dev-operator-secret"),
        )
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def stop(self) -> None:
        """Stop every service (SIGTERM, then SIGKILL after a grace period)."""
        for service in self.processes.values():
            if service.process.poll() is None:
                service.process.terminate()
        for service in self.processes.values():
            try:
                service.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()
        self.processes.clear()


def listens_on(process: subprocess.Popen[bytes], port: int) -> bool:
    """Whether ``process`` (or a child of it) holds the listening socket on ``port``."""
    try:
        parent = psutil.Process(process.pid)
        pids = {process.pid, *(child.pid for child in parent.children(recursive=True))}
    except psutil.Error:
        return False
    return any(
        connection.pid in pids
        and connection.status == psutil.CONN_LISTEN
        and connection.laddr
        and connection.laddr.port == port
        for connection in psutil.net_connections("tcp")
    )
