"""The stack and the clerks' desk: a kept session secret, the demo client, what `start` says."""

from __future__ import annotations

import io
import json
from pathlib import Path

from devstack.console import Console
from devstack.start import _print_desk_access, desk_environment, session_secret
from devstack.suite import SERVICES
from devstack.supervisor import ServiceProcess
from runtime.secrets import check_token


def test_the_session_secret_is_made_once_kept_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "desk" / "secrets.json"
    first = session_secret(path)
    assert check_token("RATHAUS_SESSION_SECRET", first, frozenset()) == first
    assert path.stat().st_mode & 0o077 == 0
    assert session_secret(path) == first  # a restart keeps clerks signed in
    assert json.loads(path.read_text()) == {"session_secret": first}
    assert session_secret(tmp_path / "other.json") != first


def test_the_development_issuer_s_desk_client_is_passed_only_with_that_issuer(
    tmp_path: Path,
) -> None:
    ours = desk_environment(tmp_path, {}, "http://127.0.0.1:8010")
    assert ours["RATHAUS_DESK_CLIENT_ID"] == "rathaus-desk"
    assert ours["RATHAUS_DESK_CLIENT_SECRET"] == "dev-desk-secret"
    assert ours["RATHAUS_SESSION_SECRET"] == session_secret(tmp_path / "desk" / "secrets.json")
    # With Keycloak named by the environment, its client and secret come from there.
    theirs = desk_environment(tmp_path, {"RATHAUS_SESSION_SECRET": "from-env"}, "")
    assert theirs == {"RATHAUS_SESSION_SECRET": "from-env"}


def test_start_names_the_desk_and_the_demo_clerks_to_sign_in_as() -> None:
    stream = io.StringIO()
    casework = next(spec for spec in SERVICES if spec.name == "casework")
    archive = next(spec for spec in SERVICES if spec.name == "archive")
    processes = [
        ServiceProcess(casework, 18002, Path("casework.log")),
        ServiceProcess(archive, 18004, Path("archive.log")),
    ]
    _print_desk_access("http://127.0.0.1:8010", processes, Console(stream))
    said = stream.getvalue()
    assert "clerks' desk      http://127.0.0.1:18002/desk/" in said
    assert "e-files (desk)    http://127.0.0.1:18004/desk/akten" in said
    for clerk in ("augustusburg.sachbearbeitung", "wurzen.leitung", "bennewitz.sachbearbeitung"):
        assert clerk in said
    assert "betrieb" not in said  # an operator, not a clerk
    assert "the password is the user name" in said
