"""The operators' commands: they never guess a server, never create anything, say things once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg

from contracts.naming import Service
from tests.support.runtime import connected_runtime

ROOT = Path(__file__).resolve().parents[3]


def operate(service: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(("NATS_URL", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", f"services.{service}", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_the_installation_named_they_refuse_and_say_which_variables() -> None:
    done = operate("intake", "projections", env={})
    assert done.returncode == 2
    assert "NATS_URL and INTAKE_DATABASE_URL" in done.stderr
    assert "never guess" in done.stderr


async def test_a_read_only_command_creates_no_database_and_no_stream(
    nats_url: str, namespace: str, pg_admin_url: str
) -> None:
    missing = pg_admin_url.rsplit("/", 1)[0] + "/rathaus_never_created"
    done = operate(
        "casework",
        "projections",
        env={
            "NATS_URL": nats_url,
            "RATHAUS_NAMESPACE": namespace,
            "CASEWORK_DATABASE_URL": missing,
        },
    )
    assert done.returncode == 1
    assert f"stream {namespace}_CASEWORK does not exist" in done.stderr
    admin = await asyncpg.connect(pg_admin_url)
    try:
        assert not await admin.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = 'rathaus_never_created'"
        )
    finally:
        await admin.close()


async def test_reactions_refuse_a_rebuild_in_one_line_and_retry_needs_an_id(
    nats_url: str, namespace: str, database_url: str
) -> None:
    runtime = await connected_runtime(Service.NOTIFY, nats_url, namespace, database_url)
    await runtime.stop()
    env = {
        "NATS_URL": nats_url,
        "RATHAUS_NAMESPACE": namespace,
        "NOTIFY_DATABASE_URL": database_url,
    }
    listed = operate("notify", "projections", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "reaction (cannot be rebuilt)" in listed.stdout
    refused = operate("notify", "rebuild", "outbox", env=env)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert "is a reaction" in refused.stderr
    assert "Traceback" not in refused.stderr
    bare = operate("notify", "retry", env=env)
    assert bare.returncode == 2
    assert "one of the arguments id --all is required" in bare.stderr
    assert operate("notify", "dismiss", "1", env=env).returncode == 2  # --reason is required
    letters = operate("notify", "dead-letters", env=env)
    assert letters.returncode == 0
    assert letters.stdout.strip() == "no dead letters"
