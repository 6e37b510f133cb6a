"""``rathaus.py``: when and how it installs, the lock and audit commands, Chromium."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def rathaus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rathaus_bootstrap", ROOT / "rathaus.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_fingerprint_changes_with_the_project_file_the_lock_the_extras_and_the_folder(
    rathaus: ModuleType,
) -> None:
    def fingerprint(pyproject: bytes, lock: bytes, extras: str, root: str) -> str:
        result: str = rathaus.install_fingerprint(pyproject, lock, extras, Path(root))
        return result

    base = fingerprint(b"[project]", b"a==1", "embedded,test,lint", "/a")
    assert base == fingerprint(b"[project]", b"a==1", "embedded,test,lint", "/a")
    assert base != fingerprint(b"[project] ", b"a==1", "embedded,test,lint", "/a")
    assert base != fingerprint(b"[project]", b"a==2", "embedded,test,lint", "/a")
    assert base != fingerprint(b"[project]", b"a==1", "embedded,test", "/a")
    assert base != fingerprint(b"[project]", b"a==1", "embedded,test,lint", "/b")


def test_installs_without_a_stamp_or_with_another_one(rathaus: ModuleType, tmp_path: Path) -> None:
    stamp = tmp_path / ".rathaus-install-stamp"
    assert rathaus.needs_install(stamp, "abc")
    stamp.write_text("abc\n")
    assert not rathaus.needs_install(stamp, "abc")
    assert rathaus.needs_install(stamp, "abd")


def test_the_stamp_matches_the_checked_out_project(rathaus: ModuleType) -> None:
    """The venv running this test was installed from this pyproject.toml and lock by rathaus.py."""
    if not rathaus.STAMP.exists():
        pytest.skip("the venv was not installed by rathaus.py")
    fingerprint = rathaus.install_fingerprint(
        (ROOT / "pyproject.toml").read_bytes(), (ROOT / rathaus.DEV_LOCK).read_bytes()
    )
    assert not rathaus.needs_install(rathaus.STAMP, fingerprint)


def test_the_venv_gets_the_locked_files_then_the_project_without_anything_else(
    rathaus: ModuleType,
) -> None:
    dependencies, project = rathaus.install_commands(Path("/v/bin/python"))
    pip = ["/v/bin/python", "-m", "pip", "install"]
    assert dependencies[:4] == project[:4] == pip
    assert dependencies[-3:] == ["--require-hashes", "-r", "requirements/dev.lock"]
    assert project[-4:] == ["--no-deps", "--no-build-isolation", "-e", "."]


def test_lock_compiles_a_universal_hashed_dev_lock_with_every_extra_and_a_runtime_lock_inside_it(
    rathaus: ModuleType,
) -> None:
    dev, runtime = rathaus.lock_commands(Path("/v/bin/uv"), ["--upgrade-package", "idna"])
    for command in (dev, runtime):
        assert command[:3] == ["/v/bin/uv", "pip", "compile"]
        assert {"--universal", "--generate-hashes"} <= set(command)
        assert command[-2:] == ["--upgrade-package", "idna"]
        # pyproject.toml, and the build backend's requirements on stdin
        assert command[command.index("pyproject.toml") + 1] == "-"
    assert dev[dev.index("-o") + 1] == "requirements/dev.lock"
    assert [dev[i + 1] for i, arg in enumerate(dev) if arg == "--extra"] == rathaus.EXTRAS.split(
        ","
    )
    assert runtime[runtime.index("-o") + 1] == "requirements/runtime.lock"
    assert runtime[runtime.index("-c") + 1] == "requirements/dev.lock"
    assert "--extra" not in runtime


def test_the_requirements_digest_ignores_formatting_but_not_a_requirement(
    rathaus: ModuleType,
) -> None:
    def pyproject(dependencies: str, build: str = '"setuptools>=69"') -> bytes:
        return (
            f"[build-system]\nrequires = [{build}]\n[project]\nname = 'x'\n"
            f"dependencies = [{dependencies}]\n"
            "[project.optional-dependencies]\nembedded = []\ntest = ['pytest']\nlint = []\n"
        ).encode()

    base = rathaus.requirements_digest(pyproject('"a>=1", "b"'))
    assert base == rathaus.requirements_digest(pyproject('"b",\n    "a>=1",'))
    assert base != rathaus.requirements_digest(pyproject('"a>=2", "b"'))
    assert base != rathaus.requirements_digest(pyproject('"a>=1"'))
    assert base != rathaus.requirements_digest(pyproject('"a>=1", "b"', '"setuptools>=70"'))


def test_the_digest_line_goes_after_the_header_and_replaces_an_old_one(
    rathaus: ModuleType,
) -> None:
    lock = "# made by uv\n#    python3 rathaus.py lock\na==1 \\\n    --hash=sha256:00\n"
    marked = rathaus.with_digest(lock, "d1")
    assert marked.splitlines()[2] == rathaus.DIGEST_PREFIX + "d1"
    assert rathaus.locked_digest(marked) == "d1"
    again = rathaus.with_digest(marked, "d2")
    assert rathaus.locked_digest(again) == "d2"
    assert again.count(rathaus.DIGEST_PREFIX) == 1
    assert rathaus.locked_digest(lock) is None


def test_audit_runs_pip_audit_strictly_over_both_locks_as_locked(
    rathaus: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line `rathaus.py audit` runs (nothing is installed, no network is asked)."""
    ran: list[list[str]] = []

    def run(command: list[str], **_: object) -> subprocess.CompletedProcess[bytes]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 1)

    monkeypatch.setattr(rathaus, "ensure_venv", lambda: None)
    monkeypatch.setattr(rathaus, "ensure_dependencies", lambda: None)
    monkeypatch.setattr(rathaus.subprocess, "run", run)
    assert rathaus.main(["audit", "--format", "json"]) == 1  # pip-audit's exit code
    [command] = ran
    assert command[:3] == [str(rathaus.venv_python()), "-m", "pip_audit"]
    assert {"--strict", "--disable-pip", "--require-hashes"} <= set(command)
    locks = [command[i + 1] for i, arg in enumerate(command) if arg == "-r"]
    assert locks == ["requirements/dev.lock", "requirements/runtime.lock"]
    assert command[-2:] == ["--format", "json"]


@pytest.mark.parametrize(
    ("present", "root", "apt", "plan"),
    [
        (True, False, False, "present"),
        (False, True, True, "install"),
        (False, False, True, "cannot"),
        (False, True, False, "cannot"),
    ],
)
def test_chromium_is_installed_only_as_root_with_apt(
    rathaus: ModuleType, present: bool, root: bool, apt: bool, plan: str
) -> None:
    assert rathaus.chromium_plan(present, root, apt) == plan


def test_an_unknown_command_installs_nothing_and_shows_the_usage(
    rathaus: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rathaus.main(["bogus"]) == 2
    assert "python3 rathaus.py start" in capsys.readouterr().err


def test_the_bootstrap_uses_only_the_standard_library() -> None:
    source = (ROOT / "rathaus.py").read_text()
    imported = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
