"""Through which URL a missing service database is created."""

from devstack.databases import admin_for


def test_a_database_on_the_admin_server_is_created_through_the_admin_url() -> None:
    admin = "postgresql://admin:pw@db:5432/defaultdb?sslmode=require"
    assert admin_for("postgresql://admin:pw@db:5432/rathaus_intake", admin) == admin


def test_a_database_elsewhere_is_created_through_its_own_servers_postgres_database() -> None:
    url = "postgresql://intake:pw@other:5432/rathaus_intake?sslmode=require"
    assert admin_for(url, "postgresql://admin:pw@db:5432/postgres") == (
        "postgresql://intake:pw@other:5432/postgres?sslmode=require"
    )
    assert admin_for(url, None) == "postgresql://intake:pw@other:5432/postgres?sslmode=require"
