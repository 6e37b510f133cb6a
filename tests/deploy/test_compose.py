"""compose.yaml and the Dockerfile, checked without Docker: shape, wiring and variable names.

Docker does not run where the tests run, so this reads the files: every service of the
suite is there, built from the one Dockerfile for its own ``SERVICE``, waits for healthy
NATS and PostgreSQL, reports health through ``/readyz``, and is configured only with
variables its settings class reads — a renamed setting breaks this test, not a deployment.
Every container, the servers' too, restarts when it dies and has a health check. Every image
is pinned to an exact release (a digest may follow), and the image installs the runtime lock
with its hashes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.naming import Service
from tests.deploy.settings_names import SETTINGS_CLASSES, env_names, settings_class

ROOT = Path(__file__).resolve().parents[2]
SUITE = [service.value for service in Service]
PORTS = {"intake": 8001, "casework": 8002, "billing": 8003, "archive": 8004, "notify": 8005}
CONTAINERS = ["nats", "postgres", "mailpit", *SUITE]
# PostgreSQL numbers its releases major.minor (17.7); everything else here major.minor.patch.
TWO_PART_RELEASES = {"postgres"}
HEALTH_PROBES = {
    "nats": "http://127.0.0.1:8222/healthz?js-enabled-only=true",
    "postgres": "pg_isready",
    "mailpit": "/mailpit readyz",
    **{name: f"http://127.0.0.1:{port}/readyz" for name, port in PORTS.items()},
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def images() -> list[str]:
    """Every image compose.yaml runs and every base image the Dockerfile builds on, as written."""
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return [
        *re.findall(r"^\s*image:\s*[\"']?([^\s\"']+)", compose, re.MULTILINE),
        *re.findall(r"^FROM\s+(?:--platform=\S+\s+)?(\S+)", dockerfile, re.MULTILINE),
    ]


def unpinned(image: str) -> str | None:
    """Why ``image`` is not pinned to an exact release, or None if it is.

    A tag like ``2.15.1-alpine`` or ``v1.34.0`` names one release; ``latest``, ``17`` or
    ``2.11-alpine`` move to the next release on their own. An ``@sha256:`` digest may follow.
    """
    reference, _, digest = image.partition("@")
    if digest and not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        return f"{image}: a digest is sha256: and 64 hex digits"
    name, _, tag = reference.rpartition(":")
    if not name or "/" in tag:
        return f"{image}: no tag"
    parts = 2 if name.rsplit("/", 1)[-1] in TWO_PART_RELEASES else 3
    release = rf"v?\d+(\.\d+){{{parts - 1}}}"
    if "latest" in tag or not re.fullmatch(rf"{release}([-_][\w.-]+)?", tag):
        return f"{image}: the tag {tag!r} is no exact release (like 2.15.1 or 2.15.1-alpine)"
    return None


def volume_mounts(definition: dict[str, Any]) -> dict[str, str]:
    """``target: source`` of a service's short-syntax volumes."""
    mounts = {}
    for volume in definition.get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[target] = source
    return mounts


def test_the_suite_is_five_services_the_test_knows() -> None:
    assert sorted(SUITE) == sorted(PORTS) == sorted(SETTINGS_CLASSES)


def test_compose_has_the_infrastructure_and_every_service(
    services: dict[str, dict[str, Any]],
) -> None:
    assert {"nats", "postgres", "mailpit", *SUITE} <= set(services)


@pytest.mark.parametrize("name", SUITE)
def test_each_service_builds_from_the_dockerfile_for_itself(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    build = services[name]["build"]
    assert build["context"] == "."
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    assert build["args"] == {"SERVICE": name}


@pytest.mark.parametrize("name", SUITE)
def test_each_service_waits_for_healthy_nats_and_postgres(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    depends = services[name]["depends_on"]
    for infrastructure in ("nats", "postgres"):
        assert depends[infrastructure] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", SUITE)
def test_each_service_is_healthy_when_its_readyz_says_so(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    environment = services[name]["environment"]
    port = PORTS[name]
    probe = " ".join(services[name]["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/readyz" in probe
    assert environment[f"{name.upper()}_HTTP_PORT"] == str(port)
    assert environment[f"{name.upper()}_HTTP_HOST"] == "0.0.0.0"


@pytest.mark.parametrize("name", CONTAINERS)
def test_every_container_is_restarted_when_its_process_dies(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert services[name].get("restart") == "unless-stopped"


@pytest.mark.parametrize("name", CONTAINERS)
def test_every_container_reports_its_health(services: dict[str, dict[str, Any]], name: str) -> None:
    check = services[name].get("healthcheck")
    assert check, f"{name} has no health check"
    assert check["test"][0] == "CMD"
    assert HEALTH_PROBES[name] in " ".join(check["test"])
    assert check["retries"] >= 3
    assert {"interval", "timeout"} <= set(check)


def test_the_nats_health_check_asks_the_monitoring_port_nats_opens() -> None:
    config = (ROOT / "deploy" / "nats" / "compose.conf").read_text()
    assert re.search(r"^http_port: 8222\b", config, re.MULTILINE)


@pytest.mark.parametrize("name", SUITE)
def test_each_service_has_its_own_database_and_the_shared_nats(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    environment = services[name]["environment"]
    database = environment[f"{name.upper()}_DATABASE_URL"]
    assert re.fullmatch(rf"postgresql://[^@]+@postgres:5432/rathaus_{name}", database)
    assert environment["NATS_URL"] == "nats://nats:4222"
    assert environment["RATHAUS_MEMBERS_DIR"] == "/app/deploy/members"


@pytest.mark.parametrize("name", SUITE)
def test_each_variable_compose_sets_is_one_the_service_reads(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    module = SETTINGS_CLASSES[name].partition(":")[0]
    pytest.importorskip(module, reason=f"{name} has no settings module yet")
    read = env_names(settings_class(name))
    unread = set(services[name]["environment"]) - read
    assert not unread, f"{name} does not read {sorted(unread)}"


def test_notify_sends_to_the_mail_sink(services: dict[str, dict[str, Any]]) -> None:
    environment = services["notify"]["environment"]
    assert (environment["NOTIFY_SMTP_HOST"], environment["NOTIFY_SMTP_PORT"]) == ("mailpit", "1025")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")


def test_intake_and_the_mail_ui_are_published(services: dict[str, dict[str, Any]]) -> None:
    assert "8001:8001" in services["intake"]["ports"]
    assert "8025:8025" in [p.split()[0] for p in services["mailpit"]["ports"]]
    published = {name for name, definition in services.items() if definition.get("ports")}
    assert published == {"intake", "mailpit"}


def test_nats_runs_jetstream_fsynced_on_a_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    nats = services["nats"]
    major, minor = (int(n) for n in re.findall(r"nats:(\d+)\.(\d+)", nats["image"])[0])
    assert (major, minor) >= (2, 11)
    assert "-js" in nats["command"]
    mounts = volume_mounts(nats)
    config = ROOT / mounts["/etc/nats/rathaus.conf"]
    assert "sync_interval: always" in config.read_text()
    assert mounts["/data"] in compose["volumes"]
    assert "store_dir: /data" in config.read_text()


def test_postgres_17_creates_the_five_databases_on_a_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    postgres = services["postgres"]
    assert re.fullmatch(r"postgres:17\.\d+(@sha256:[0-9a-f]{64})?", postgres["image"])
    mounts = volume_mounts(postgres)
    [script] = [ROOT / s for t, s in mounts.items() if t.startswith("/docker-entrypoint-initdb.d/")]
    created = re.findall(r"CREATE DATABASE (\w+);", script.read_text())
    assert sorted(created) == sorted(f"rathaus_{name}" for name in SUITE)
    assert mounts["/var/lib/postgresql/data"] in compose["volumes"]


def test_the_dockerfile_installs_the_project_and_runs_the_chosen_service() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.12\.\d+-slim", dockerfile, re.MULTILINE)
    assert re.search(r"^ARG SERVICE", dockerfile, re.MULTILINE)
    assert re.search(
        r"^RUN pip install --no-deps --no-build-isolation \.", dockerfile, re.MULTILINE
    )
    assert re.search(r"^CMD exec python -m services\.\$\{SERVICE\}$", dockerfile, re.MULTILINE)
    for copied in ("contracts/", "runtime/", "services/", "deploy/members/"):
        assert f"COPY {copied}" in dockerfile


def test_the_cluster_example_is_three_nodes_with_fsync() -> None:
    config = (ROOT / "deploy" / "nats" / "cluster.conf").read_text()
    assert len(re.findall(r"nats-route://", config)) == 3
    assert "sync_interval: always" in config


def test_the_image_installs_the_runtime_lock_with_its_hashes_before_the_project() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    lock = "requirements/runtime.lock"
    assert f"COPY {lock} requirements/" in dockerfile
    install = f"RUN pip install --require-hashes -r {lock}"
    assert install in dockerfile
    assert dockerfile.index(install) < dockerfile.index("RUN pip install --no-deps")
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert not ignored & {"requirements", "requirements/", "*.lock"}, (
        "the lock must reach the build"
    )


def test_compose_and_the_dockerfile_name_images() -> None:
    found = images()
    assert len(found) == 4, found  # nats, postgres, mailpit; the services' python base
    assert any(image.startswith("python:") for image in found)


@pytest.mark.parametrize("image", images())
def test_every_image_is_pinned_to_an_exact_release(image: str) -> None:
    """No ``latest`` or moving tag; deploy/README.md ("Supply chain") says how to add digests."""
    assert unpinned(image) is None, unpinned(image)


@pytest.mark.parametrize(
    "image",
    [
        "nats:2.11-alpine",
        "postgres:17",
        "axllent/mailpit:latest",
        "python:3.12-slim",
        "nats",
        "registry.example:5000/nats",
        "nats:2.15.1-alpine@sha256:abc",
        "python:3.12.12-slim-latest",
    ],
)
def test_a_moving_tag_or_a_broken_digest_is_refused(image: str) -> None:
    assert unpinned(image) is not None


@pytest.mark.parametrize(
    "image",
    [
        "nats:2.15.1-alpine",
        "postgres:17.7",
        "axllent/mailpit:v1.34.0",
        "python:3.12.12-slim-trixie@sha256:" + "0" * 64,
        "registry.example:5000/team/nats:2.15.1",
    ],
)
def test_an_exact_release_with_or_without_a_digest_is_accepted(image: str) -> None:
    assert unpinned(image) is None


REQUIRED = re.compile(r"\$\{(NATS_[A-Z]+_PASSWORD):\?[^}]+\}")
"""A password compose takes from the environment (or .env) and refuses to start without."""


@pytest.mark.parametrize("name", SUITE)
def test_each_service_connects_to_nats_as_its_own_user(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    environment = services[name]["environment"]
    assert environment["NATS_USER"] == name
    required = REQUIRED.fullmatch(environment["NATS_PASSWORD"])
    assert required, "a password from the environment, no default"
    assert required.group(1) == f"NATS_{name.upper()}_PASSWORD"


def test_nats_gets_every_password_from_the_environment_and_the_generated_users(
    services: dict[str, dict[str, Any]],
) -> None:
    nats = services["nats"]
    expected = {f"NATS_{n.upper()}_PASSWORD" for n in [*SUITE, "admin"]}
    assert set(nats["environment"]) == expected
    for variable, value in nats["environment"].items():
        required = REQUIRED.fullmatch(value)
        assert required, variable
        assert required.group(1) == variable
    mounts = volume_mounts(nats)
    assert mounts["/etc/nats/auth.conf"] == "./deploy/nats/auth.conf"


def test_the_deploy_files_hold_the_generated_users_and_no_password() -> None:
    from contracts.naming import Namespace
    from runtime.natsauth import AUTH_CONF_HEADER, authorization_block

    auth = (ROOT / "deploy" / "nats" / "auth.conf").read_text()
    assert auth == AUTH_CONF_HEADER + authorization_block(Namespace("")), (
        "stale: python -m runtime.natsauth conf > deploy/nats/auth.conf"
    )
    passwords = re.findall(r"password:\s*(\S+?)[,}]", auth)
    assert len(passwords) == len(SUITE) + 1
    assert all(re.fullmatch(r"\$NATS_[A-Z]+_PASSWORD", p) for p in passwords)
    for conf in ("compose.conf", "cluster.conf"):
        text = (ROOT / "deploy" / "nats" / conf).read_text()
        assert re.search(r"^include \./auth\.conf$", text, re.MULTILINE), conf
        assert not re.search(r"password\s*:", text), conf


def test_the_cluster_speaks_tls_to_clients_and_between_nodes_both_sides_verified() -> None:
    config = (ROOT / "deploy" / "nats" / "cluster.conf").read_text()
    blocks = re.findall(r"^\s*tls \{(.*?)\}", config, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 2, "one for clients, one for the routes"
    for block in blocks:
        for setting in ("cert_file", "key_file", "ca_file"):
            assert re.search(rf"{setting}: \"/etc/nats/tls/[\w.]+\"", block)
        assert re.search(r"verify: true", block)
    cluster = config[config.index("cluster {") :]
    assert "tls {" in cluster, "the routes' TLS sits in the cluster block"
