"""Which services the stack runs, and the exact environment each one gets."""

from pathlib import Path

import pytest

from devstack.suite import (
    SERVICE_NAMES,
    SERVICES,
    Surroundings,
    database_name,
    database_url,
    is_implemented,
    redact,
    select_services,
    service_env,
    with_database,
)
from tests.deploy.settings_names import env_names, settings_class

INTAKE = SERVICES[0]
AROUND = Surroundings(
    nats_url="nats://127.0.0.1:14222",
    smtp_port=1025,
    members_dir=Path("/repo/deploy/members"),
    intake_url="http://127.0.0.1:8001",
)


def test_the_five_services_on_their_usual_ports() -> None:
    assert [(s.name, s.port) for s in SERVICES] == [
        ("intake", 8001),
        ("casework", 8002),
        ("billing", 8003),
        ("archive", 8004),
        ("notify", 8005),
    ]
    assert [s.database for s in SERVICES][:2] == ["rathaus_intake", "rathaus_casework"]


def test_only_selects_services_repeated_or_comma_separated_in_suite_order() -> None:
    assert select_services(None) == SERVICES
    chosen = select_services(["notify,intake", "billing"])
    assert [s.name for s in chosen] == ["intake", "billing", "notify"]


def test_an_unknown_service_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown service.*intek.*known: intake"):
        select_services(["intek"])


def test_a_service_without_an_entry_point_is_not_implemented(tmp_path: Path) -> None:
    (tmp_path / "services" / "intake").mkdir(parents=True)
    (tmp_path / "services" / "intake" / "__main__.py").write_text("")
    assert is_implemented(SERVICES[0], tmp_path)
    assert not is_implemented(SERVICES[1], tmp_path)


def test_with_database_keeps_user_password_host_and_options() -> None:
    url = "postgresql://app:s3cret@db.example:6432/postgres?sslmode=require"
    assert (
        with_database(url, "rathaus_intake")
        == "postgresql://app:s3cret@db.example:6432/rathaus_intake?sslmode=require"
    )


def test_the_database_a_url_names() -> None:
    assert database_name("postgresql://a:b@h:5432/rathaus_intake?sslmode=require") == (
        "rathaus_intake"
    )


def test_a_per_service_database_url_overrides_the_server() -> None:
    server = "postgresql://postgres@127.0.0.1:15432/postgres"
    assert (
        database_url(INTAKE, server, {}) == "postgresql://postgres@127.0.0.1:15432/rathaus_intake"
    )
    own = "postgresql://intake@other:5432/intake_db"
    assert database_url(INTAKE, server, {"INTAKE_DATABASE_URL": own}) == own


def test_the_environment_of_a_service() -> None:
    env = service_env(INTAKE, 18001, "postgresql://pg/rathaus_intake", AROUND, {"PATH": "/bin"})
    assert env == {
        "PATH": "/bin",
        "NATS_URL": "nats://127.0.0.1:14222",
        "RATHAUS_ENVIRONMENT": "dev",
        "RATHAUS_MEMBERS_DIR": "/repo/deploy/members",
        "INTAKE_DATABASE_URL": "postgresql://pg/rathaus_intake",
        "INTAKE_HTTP_HOST": "127.0.0.1",
        "INTAKE_HTTP_PORT": "18001",
        "NOTIFY_SMTP_HOST": "127.0.0.1",
        "NOTIFY_SMTP_PORT": "1025",
        "INTAKE_PUBLIC_URL": "http://127.0.0.1:8001",
        "PYTHONUNBUFFERED": "1",
    }


def test_the_callers_otlp_endpoint_passes_through() -> None:
    base = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "RATHAUS_ENVIRONMENT": "x"}
    env = service_env(INTAKE, 8001, "postgresql://pg/db", AROUND, base)
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://collector:4318"
    assert env["RATHAUS_ENVIRONMENT"] == "dev"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_variable_the_stack_sets_is_read_by_the_suite(service: str) -> None:
    """A renamed setting must not leave the stack setting a name nobody reads."""
    spec = next(s for s in SERVICES if s.name == service)
    stack_names = set(service_env(spec, 8000, "postgresql://pg/db", AROUND, {})) - {
        "PYTHONUNBUFFERED"
    }
    try:
        readers = [settings_class(name) for name in {service, "notify", "intake"}]
    except ImportError:
        pytest.skip(f"a settings module is not written yet ({service}, notify or intake)")
    read = set().union(*(env_names(cls) for cls in readers))
    assert stack_names <= read


def test_passwords_are_not_printed() -> None:
    assert redact("postgresql://app:s3cret@db:5432/x") == "postgresql://app:***@db:5432/x"
    assert (
        redact("postgresql://postgres@127.0.0.1:5432/x") == "postgresql://postgres@127.0.0.1:5432/x"
    )


def test_intake_links_filed_cases_to_archive_where_the_stack_knows_it() -> None:
    around = Surroundings(**{**vars(AROUND), "archive_url": "http://127.0.0.1:8004"})
    env = service_env(INTAKE, 8001, "postgresql://pg/db", around, {})
    assert env["INTAKE_ARCHIVE_PUBLIC_URL"] == "http://127.0.0.1:8004"
    assert "INTAKE_ARCHIVE_PUBLIC_URL" not in service_env(INTAKE, 8001, "pg", AROUND, {})
