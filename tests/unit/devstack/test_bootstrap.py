"""``rathaus.py``: when it installs, and what it does about Chromium."""

from __future__ import annotations

import importlib.util
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


def test_the_fingerprint_changes_with_the_project_file_the_extras_and_the_folder(
    rathaus: ModuleType,
) -> None:
    base = rathaus.install_fingerprint(b"[project]", "embedded,test,lint", Path("/a"))
    assert base == rathaus.install_fingerprint(b"[project]", "embedded,test,lint", Path("/a"))
    assert base != rathaus.install_fingerprint(b"[project] ", "embedded,test,lint", Path("/a"))
    assert base != rathaus.install_fingerprint(b"[project]", "embedded,test", Path("/a"))
    assert base != rathaus.install_fingerprint(b"[project]", "embedded,test,lint", Path("/b"))


def test_installs_without_a_stamp_or_with_another_one(rathaus: ModuleType, tmp_path: Path) -> None:
    stamp = tmp_path / ".rathaus-install-stamp"
    assert rathaus.needs_install(stamp, "abc")
    stamp.write_text("abc\n")
    assert not rathaus.needs_install(stamp, "abc")
    assert rathaus.needs_install(stamp, "abd")


def test_the_stamp_matches_the_checked_out_project(rathaus: ModuleType) -> None:
    """The venv running this test was installed from this pyproject.toml (by rathaus.py)."""
    if not rathaus.STAMP.exists():
        pytest.skip("the venv was not installed by rathaus.py")
    fingerprint = rathaus.install_fingerprint((ROOT / "pyproject.toml").read_bytes())
    assert not rathaus.needs_install(rathaus.STAMP, fingerprint)


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
