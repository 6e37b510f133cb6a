"""``requirements/*.lock`` agree with ``pyproject.toml``; every pin is exact and hashed.

pyproject.toml declares ranges; the locks pin the exact versions that ``rathaus.py``, CI and
the Dockerfile install (``pip install --require-hashes``). When they disagree — a dependency
added, removed or given another range without ``python3 rathaus.py lock`` — these tests say
so, naming the requirement, instead of an install or an import failing somewhere later.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RELOCK = "run `python3 rathaus.py lock` and commit requirements/ with pyproject.toml"


@dataclass(frozen=True)
class Pin:
    """One requirement of a lock: its exact version, where it applies, the hashes of its files.

    A package may be pinned twice with exclusive markers: one lock serves every Python the
    project supports, and a dependency may need another version on another Python.
    """

    version: str
    marker: str
    hashes: frozenset[str]


def load_rathaus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rathaus_for_locks", ROOT / "rathaus.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RATHAUS = load_rathaus()
DEV_LOCK: Path = RATHAUS.DEV_LOCK
RUNTIME_LOCK: Path = RATHAUS.RUNTIME_LOCK


def requirement_lines(lock: Path) -> list[str]:
    """The lock's requirements, each with its ``--hash`` options on one line."""
    text = (ROOT / lock).read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip()[:1] not in ("", "#")]


def pins(lock: Path) -> dict[str, set[Pin]]:
    """Canonical name → its pins, for every requirement of the lock."""
    found: dict[str, set[Pin]] = {}
    for line in requirement_lines(lock):
        requirement = Requirement(line.partition(" --hash=")[0])
        [specifier] = requirement.specifier
        assert specifier.operator == "==", f"{lock}: {requirement} is not an exact pin"
        hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})\b", line))
        pin = Pin(specifier.version, str(requirement.marker or ""), hashes)
        found.setdefault(canonicalize_name(requirement.name), set()).add(pin)
    return found


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def declared(*, extras: bool) -> list[Requirement]:
    """What pyproject.toml asks for: the project's requirements (and its extras'), the build's."""
    project = pyproject()
    names = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    if extras:
        for extra in RATHAUS.EXTRAS.split(","):
            names += project["project"]["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


def disagreements(requirements: list[Requirement], locked: dict[str, set[Pin]]) -> list[str]:
    """Each requirement the lock lacks or pins outside its range, as a line for the message."""
    found = []
    for requirement in requirements:
        versions = sorted(
            pin.version for pin in locked.get(canonicalize_name(requirement.name), ())
        )
        outside = [v for v in versions if not requirement.specifier.contains(v, prereleases=True)]
        if not versions:
            found.append(f"{requirement}: not in the lock")
        elif outside:
            found.append(f"{requirement}: the lock has {', '.join(outside)}")
    return found


@pytest.mark.parametrize(("lock", "extras"), [(DEV_LOCK, True), (RUNTIME_LOCK, False)])
def test_every_requirement_of_pyproject_is_locked_within_its_range(
    lock: Path, extras: bool
) -> None:
    wrong = disagreements(declared(extras=extras), pins(lock))
    assert not wrong, f"pyproject.toml and {lock} disagree; {RELOCK}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("lock", [DEV_LOCK, RUNTIME_LOCK])
def test_the_lock_was_compiled_from_the_requirements_pyproject_declares_now(lock: Path) -> None:
    """Catches what the range check cannot: a removed requirement, a dependency's new extra."""
    written = RATHAUS.locked_digest((ROOT / lock).read_text(encoding="utf-8"))
    expected = RATHAUS.requirements_digest((ROOT / "pyproject.toml").read_bytes())
    assert written == expected, f"{lock} was compiled from other requirements; {RELOCK}"


@pytest.mark.parametrize("lock", [DEV_LOCK, RUNTIME_LOCK])
def test_every_pin_is_an_exact_version_with_the_hashes_of_its_files(lock: Path) -> None:
    locked = pins(lock)
    twice = sorted(
        name for name, found in locked.items() if len(found) > len({p.marker for p in found})
    )
    assert not twice, f"{lock} pins {twice} twice for the same platforms"
    assert sum(map(len, locked.values())) == len(requirement_lines(lock))
    unhashed = sorted(name for name, found in locked.items() if any(not p.hashes for p in found))
    assert not unhashed, f"{lock} has no hashes for {unhashed}"


def test_the_image_runs_the_versions_and_files_the_tests_ran() -> None:
    development, runtime = pins(DEV_LOCK), pins(RUNTIME_LOCK)
    different = sorted(name for name, pin in runtime.items() if development.get(name) != pin)
    assert not different, f"{RUNTIME_LOCK} differs from {DEV_LOCK} in {different}; {RELOCK}"


def test_the_venv_gets_and_the_lock_has_every_extra_pyproject_declares() -> None:
    declared_extras = set(pyproject()["project"]["optional-dependencies"])
    assert declared_extras == set(RATHAUS.EXTRAS.split(",")), (
        "rathaus.py's EXTRAS (what .venv gets and requirements/dev.lock locks) must name "
        "every extra of pyproject.toml"
    )
