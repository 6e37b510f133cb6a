"""The operators' commands: they call the service with the operator's token, never guess a
server, touch no database or stream themselves, and say things once.

Against a real notify process (NATS, PostgreSQL) and the development issuer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import DatabaseFactory
from tests.support.issuer import DevIssuer, running_issuer
from tests.support.suite import Suite

ROOT = Path(__file__).resolve().parents[3]
OPERATOR_CLIENT = {
    "RATHAUS_OPERATOR_CLIENT_ID": "rathaus-operator",
    "RATHAUS_OPERATOR_CLIENT_SECRET": "dev-operator-secret",
}


def operate(service: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m services.<service> …`` with nothing of the installation but ``env``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("NATS_URL", "DATABASE_URL", "_URL"))
        and not k.startswith(("RATHAUS_OIDC", "RATHAUS_OPERATOR"))
    }
    return subprocess.run(
        [sys.executable, "-m", f"services.{service}", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevIssuer]:
    with running_issuer(tmp_path_factory.mktemp("issuer")) as running:
        yield running


@pytest.fixture
async def notify(
    nats_url: str, namespace: str, new_database: DatabaseFactory, issuer: DevIssuer, tmp_path: Path
) -> AsyncIterator[Suite]:
    suite = Suite(
        nats_url=nats_url,
        database_urls={"notify": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
    ).start(("notify",))
    yield suite
    suite.stop()


def test_without_the_service_or_a_token_they_refuse_and_say_which_variables() -> None:
    done = operate("intake", "projections", env={})
    assert done.returncode == 2
    assert "INTAKE_URL" in done.stderr
    assert "RATHAUS_OPERATOR_TOKEN (or RATHAUS_OIDC_ISSUER" in done.stderr
    assert "never guess" in done.stderr
    with_url = operate("intake", "projections", "--url", "http://127.0.0.1:9", env={})
    assert with_url.returncode == 2
    assert "INTAKE_URL" not in with_url.stderr
    assert "RATHAUS_OPERATOR_CLIENT_SECRET" in with_url.stderr


def test_a_token_the_service_refuses_is_said_in_one_line(notify: Suite, issuer: DevIssuer) -> None:
    clerk = issuer.sign_in("wurzen.sachbearbeitung")["access_token"]
    for token, status in (("no-jwt", "401"), (clerk, "403")):
        done = operate(
            "notify",
            "dead-letters",
            env={"NOTIFY_URL": notify.url("notify"), "RATHAUS_OPERATOR_TOKEN": token},
        )
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1, done.stderr
        assert f"({status})" in done.stderr


async def test_the_commands_work_through_the_service_with_the_operators_identity(
    notify: Suite, issuer: DevIssuer
) -> None:
    """Client credentials from the issuer; no NATS_URL, no database URL; reactions refuse a
    rebuild in one line; retry needs an id; a dismissal records the operator."""
    env = {"NOTIFY_URL": notify.url("notify"), "RATHAUS_OIDC_ISSUER": issuer.url, **OPERATOR_CLIENT}
    listed = operate("notify", "projections", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "reaction (cannot be rebuilt)" in listed.stdout
    refused = operate("notify", "rebuild", "outbox", env=env)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert "ist eine Reaktion" in refused.stderr
    assert "Traceback" not in refused.stderr
    unknown = operate("notify", "rebuild", "nonesuch", env=env)
    assert unknown.returncode == 2
    assert "bekannt: outbox" in unknown.stderr
    bare = operate("notify", "retry", env=env)
    assert bare.returncode == 2
    assert "one of the arguments id --all is required" in bare.stderr
    assert operate("notify", "dismiss", "1", env=env).returncode == 2  # --reason is required
    letters = operate("notify", "dead-letters", env=env)
    assert letters.returncode == 0
    assert letters.stdout.strip() == "no dead letters"

    letter_id = await a_dead_letter(notify.database_urls["notify"])
    token_env = {
        "NOTIFY_URL": notify.url("notify"),
        "RATHAUS_OPERATOR_TOKEN": issuer.client_token(),
    }
    listed_letters = operate("notify", "dead-letters", env=token_env)
    assert f"{letter_id:>6}  outbox" in listed_letters.stdout
    dismissed = operate("notify", "dismiss", str(letter_id), "--reason", "Testfall", env=env)
    assert (dismissed.returncode, dismissed.stdout) == (0, f"{letter_id}: dismissed\n")
    again = operate("notify", "dismiss", str(letter_id), "--reason", "Testfall", env=env)
    assert again.returncode == 1
    assert f"Kein offener Dead Letter mit der Nummer {letter_id}" in again.stderr
    closed = operate("notify", "dead-letters", "--all", env=env)
    assert "dismissed by operator:rathaus-operator (Testfall)" in closed.stdout
    assert operate("notify", "retry", "--all", env=env).returncode == 0  # nothing open


async def a_dead_letter(database_url: str) -> int:
    """A dead letter as a projection would have kept it (the commit itself does not matter)."""
    conn = await asyncpg.connect(database_url)
    try:
        letter_id: int = await conn.fetchval(
            "INSERT INTO public.rc_dead_letters (projection, stream, stream_seq, subject,"
            " event_types, headers, data, error, attempts)"
            " VALUES ('outbox', 'NOTIFY', 1, 'ev.notify.x', 'test.Unknown/1', '{}', '\\x00',"
            " 'LookupError: unknown event type(s)', 1) RETURNING id"
        )
        return letter_id
    finally:
        await conn.close()


async def test_intake_s_catalogue_commands_change_the_running_catalogue(
    nats_url: str, namespace: str, new_database: DatabaseFactory, issuer: DevIssuer, tmp_path: Path
) -> None:
    intake = Suite(
        nats_url=nats_url,
        database_urls={"intake": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
    ).start(("intake",))
    try:
        env = {
            **OPERATOR_CLIENT,
            "RATHAUS_OIDC_ISSUER": issuer.url,
            "INTAKE_URL": intake.url("intake"),
        }
        withdrawn = operate("intake", "withdraw", "14729410", "maengelmelder", env=env)
        assert withdrawn.returncode == 0, withdrawn.stderr
        assert (
            "14729410: intake.ProcedureWithdrawn (by operator:rathaus-operator)" in withdrawn.stdout
        )
        again = operate("intake", "withdraw", "14729410", "maengelmelder", env=env)
        assert again.returncode == 1
        assert "„maengelmelder“ wird nicht angeboten. (404)" in again.stderr
        offered = operate(
            "intake", "offer", "14729410", "maengelmelder", "--office", "Bauhof", env=env
        )
        assert offered.returncode == 0, offered.stderr
        assert "intake.ProcedureOffered" in offered.stdout
        member = ROOT / "deploy" / "members" / "14729410-wurzen.toml"
        onboard = operate("intake", "onboard", str(member), env=env)
        assert onboard.returncode == 0, onboard.stderr
        assert "14729410: unchanged" in onboard.stdout
    finally:
        intake.stop()


async def test_archive_rewraps_the_data_keys_on_an_operator_s_command(
    nats_url: str, namespace: str, new_database: DatabaseFactory, issuer: DevIssuer, tmp_path: Path
) -> None:
    archive = Suite(
        nats_url=nats_url,
        database_urls={"archive": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
    ).start(("archive",))
    try:
        env = {
            **OPERATOR_CLIENT,
            "RATHAUS_OIDC_ISSUER": issuer.url,
            "ARCHIVE_URL": archive.url("archive"),
        }
        done = operate("archive", "rewrap-keys", env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("re-wrapped 0, already current")
        refused = operate("archive", "rewrap-keys", env={**env, "RATHAUS_OPERATOR_TOKEN": "x.y.z"})
        assert refused.returncode == 1
        assert "(401)" in refused.stderr
    finally:
        archive.stop()
