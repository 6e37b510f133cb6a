"""The suite as the development stack runs it: which services, on which ports, with what env.

Everything here is pure (no sockets, no processes), so the environment a service gets can be
read — and tested — in one place. The variable names are the services' settings
(``runtime/settings.py`` and each ``services/<name>/settings.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from contracts.naming import Namespace, Service
from runtime.natsauth import user_name

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ServiceSpec:
    """One service of the suite: its name and its usual HTTP port."""

    name: str
    port: int

    @property
    def prefix(self) -> str:
        """The prefix of the service's own settings (``INTAKE``)."""
        return self.name.upper()

    @property
    def database(self) -> str:
        """The name of the service's own database."""
        return f"rathaus_{self.name}"

    @property
    def module(self) -> str:
        """What ``python -m`` runs."""
        return f"services.{self.name}"


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("intake", 8001),
    ServiceSpec("casework", 8002),
    ServiceSpec("billing", 8003),
    ServiceSpec("archive", 8004),
    ServiceSpec("notify", 8005),
)
SERVICE_NAMES = tuple(spec.name for spec in SERVICES)
DESKS = ("casework", "billing", "archive", "notify")
"""The services serving clerk pages (``runtime.desk``): they get the desk's sign-in client
and session secret."""

NATS_PORT = 4222
POSTGRES_PORT = 5432
SMTP_PORT = 1025
MAILBOX_PORT = 8025


def select_services(only: list[str] | None) -> tuple[ServiceSpec, ...]:
    """The services to run: all, or those named (``["intake", "casework,billing"]``)."""
    if not only:
        return SERVICES
    names = {name.strip() for item in only for name in item.split(",") if name.strip()}
    unknown = names - set(SERVICE_NAMES)
    if unknown:
        raise ValueError(
            f"unknown service(s): {', '.join(sorted(unknown))}; known: {', '.join(SERVICE_NAMES)}"
        )
    return tuple(spec for spec in SERVICES if spec.name in names)


def is_implemented(spec: ServiceSpec, root: Path = ROOT) -> bool:
    """Whether ``python -m services.<name>`` exists in this checkout."""
    return (root / "services" / spec.name / "__main__.py").is_file()


def with_database(url: str, database: str) -> str:
    """``url`` pointing at ``database`` instead (user, password, host and options kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def database_name(url: str) -> str:
    """The database a URL names."""
    return urlsplit(url).path.lstrip("/")


def database_url(spec: ServiceSpec, server_url: str, environ: Mapping[str, str]) -> str:
    """The service's database: ``<SVC>_DATABASE_URL`` if set, else its own one on the server."""
    return environ.get(f"{spec.prefix}_DATABASE_URL") or with_database(server_url, spec.database)


@dataclass(frozen=True)
class Surroundings:
    """What every service of one development stack is started against."""

    nats_url: str
    smtp_port: int
    members_dir: Path
    intake_url: str
    smtp_host: str = "127.0.0.1"
    issuer_url: str = ""
    """The development issuer operators' tokens come from; empty: the environment names one."""
    audience: str = "rathauscloud"
    nats_passwords: Mapping[str, str] = field(default_factory=dict)
    """Each service's NATS password (its user is its name); empty for an external NATS."""
    desk: Mapping[str, str] = field(default_factory=dict)
    """What the services with clerk pages get: the desk's client and the session secret."""
    archive_url: str = ""
    """Where citizens reach archive's file inspection (intake's tracking page links there)."""
    state_archive_url: str = ""
    """The state archive archive offers disposals to (the local simulator in the stack)."""


def service_env(
    spec: ServiceSpec,
    port: int,
    database: str,
    around: Surroundings,
    base: Mapping[str, str],
) -> dict[str, str]:
    """The environment of one service process: ``base`` (the caller's) plus the stack's."""
    env = dict(base)
    env.update(
        {
            "NATS_URL": around.nats_url,
            "RATHAUS_ENVIRONMENT": "dev",
            "RATHAUS_MEMBERS_DIR": str(around.members_dir),
            f"{spec.prefix}_DATABASE_URL": database,
            f"{spec.prefix}_HTTP_HOST": "127.0.0.1",
            f"{spec.prefix}_HTTP_PORT": str(port),
            "NOTIFY_SMTP_HOST": around.smtp_host,
            "NOTIFY_SMTP_PORT": str(around.smtp_port),
            "INTAKE_PUBLIC_URL": around.intake_url,
            # JSON log lines reach the log file as they are written, not when a buffer fills.
            "PYTHONUNBUFFERED": "1",
        }
    )
    if spec.name in around.nats_passwords:  # its own credentials, nobody else's
        namespace = Namespace(env.get("RATHAUS_NAMESPACE", ""))
        env["NATS_USER"] = user_name(namespace, Service(spec.name))
        env["NATS_PASSWORD"] = around.nats_passwords[spec.name]
    if around.archive_url:
        env["INTAKE_ARCHIVE_PUBLIC_URL"] = around.archive_url
    if around.state_archive_url and spec.name == "archive":
        env.setdefault("ARCHIVE_STATE_ARCHIVE_URL", around.state_archive_url)
    if spec.name in DESKS:
        env.update(around.desk)
    if around.issuer_url:
        env["RATHAUS_OIDC_ISSUER"] = around.issuer_url
        env["RATHAUS_OIDC_AUDIENCE"] = around.audience
    return env


def redact(url: str) -> str:
    """``url`` without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))
