#!/usr/bin/env python3
"""Develop RathausCloud with two commands; this script needs nothing but Python 3.11+.

    python3 rathaus.py start   # the whole suite with embedded NATS + PostgreSQL and demo towns
    python3 rathaus.py test    # the whole test suite (lint, types, unit, integration, e2e)

It creates ``.venv`` if there is none, installs the dependencies from ``requirements/dev.lock``
(exact versions, every file checked against its hash) and the project itself whenever
``pyproject.toml`` or the lock changed since the last install (a stamp file in ``.venv``
remembers what was installed), and then hands over to ``python -m devstack`` inside that venv.
For ``test`` it also makes sure Debian's Chromium is there for the browser tests.

Two commands are about the installation itself and stay here: ``lock`` compiles the lock files
out of ``pyproject.toml`` (uv) after a dependency changed, ``audit`` checks the locked versions
for known vulnerabilities (pip-audit).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
EXTRAS = "embedded,test,lint"
STAMP = VENV / ".rathaus-install-stamp"
INSTALL_LOG = VENV / "rathaus-install.log"
CHROMIUM = Path("/usr/bin/chromium")
# Relative to ROOT, as they appear in commands and in the locks' own comments.
DEV_LOCK = Path("requirements/dev.lock")  # everything .venv gets: the project and its extras
RUNTIME_LOCK = Path("requirements/runtime.lock")  # what the image gets: no extras
LOCK_COMMAND = "python3 rathaus.py lock"
DIGEST_PREFIX = "# compiled from pyproject.toml's requirements with sha256 "
COMMANDS = ("start", "test", "mailbox", "lock", "audit")
MINIMUM_PYTHON = (3, 11)


def venv_python(venv: Path = VENV) -> Path:
    """The venv's interpreter."""
    return venv / "bin" / "python"


def install_fingerprint(
    pyproject: bytes, lock: bytes, extras: str = EXTRAS, root: Path = ROOT
) -> str:
    """What an install was made from: the project file, the lock, the extras, the checkout's place.

    The folder counts because an editable install points at it: a moved checkout needs a
    fresh install.
    """
    digest = hashlib.sha256()
    for part in (pyproject, lock, extras.encode(), str(root).encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def needs_install(stamp: Path, fingerprint: str) -> bool:
    """Whether the venv lacks what ``fingerprint`` describes."""
    try:
        return stamp.read_text(encoding="utf-8").strip() != fingerprint
    except OSError:
        return True


def ensure_venv() -> None:
    """Create ``.venv`` with this Python if it does not exist."""
    if venv_python().exists():
        return
    print(f"Creating the virtual environment {VENV.name}/ …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)


def install_commands(python: Path, lock: Path = DEV_LOCK) -> list[list[str]]:
    """How .venv is installed: the locked dependencies, then the project itself.

    ``--require-hashes`` refuses any file whose hash the lock does not list and any dependency
    the lock does not pin. The project comes without dependencies (the lock has them all) and
    without build isolation: its build backend is locked too, instead of fetched unchecked.
    """
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    return [
        [*pip, "--require-hashes", "-r", str(lock)],
        [*pip, "--no-deps", "--no-build-isolation", "-e", "."],
    ]


def ensure_dependencies() -> None:
    """Install from the lock if ``pyproject.toml`` or ``requirements/dev.lock`` changed."""
    if not (ROOT / DEV_LOCK).exists():
        print(f"{DEV_LOCK} is missing: restore it from git.", file=sys.stderr)
        sys.exit(1)
    fingerprint = install_fingerprint(
        (ROOT / "pyproject.toml").read_bytes(), (ROOT / DEV_LOCK).read_bytes()
    )
    if not needs_install(STAMP, fingerprint):
        return
    print("Installing dependencies … (first run takes a minute)", flush=True)
    started = time.monotonic()
    code = 0
    with open(INSTALL_LOG, "wb") as log:
        for command in install_commands(venv_python()):
            code = _run_with_progress(command, log, "Installing dependencies")
            if code != 0:
                break
    if code != 0:
        lines = INSTALL_LOG.read_text(errors="replace").splitlines()[-25:]
        print("\n".join(["", *lines, ""]), file=sys.stderr)
        print(f"Installing the dependencies failed (full log: {INSTALL_LOG}).", file=sys.stderr)
        sys.exit(1)
    STAMP.write_text(fingerprint + "\n", encoding="utf-8")
    print(f"Dependencies installed ({time.monotonic() - started:.0f} s).", flush=True)


def _run_with_progress(command: list[str], log: IO[bytes], what: str) -> int:
    """Run ``command`` with its output to ``log``; on a terminal, show the seconds passing."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    while True:
        try:
            code = process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            if sys.stdout.isatty():
                print(f"\r  {what} … {time.monotonic() - started:.0f} s", end="", flush=True)
            continue
        if sys.stdout.isatty():
            print()
        return code


def declared_requirements(pyproject: bytes, extras: str = EXTRAS) -> dict[str, list[str]]:
    """What the locks are compiled from: the project's requirements, its extras' and its build's."""
    declared = tomllib.loads(pyproject.decode("utf-8"))
    project = declared["project"]
    requirements = {
        "requires-python": [project.get("requires-python", "")],
        "dependencies": project.get("dependencies", []),
        "build-system": declared["build-system"]["requires"],
    }
    for extra in extras.split(","):
        requirements[f"extra {extra}"] = project["optional-dependencies"][extra]
    return {key: sorted(value) for key, value in requirements.items()}


def requirements_digest(pyproject: bytes, extras: str = EXTRAS) -> str:
    """A digest of :func:`declared_requirements`, written into the locks when they are compiled.

    A lock whose digest differs was compiled from other requirements than pyproject.toml
    declares now (tests/unit/test_lock.py says so). Formatting and order do not count.
    """
    text = json.dumps(declared_requirements(pyproject, extras), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def with_digest(lock: str, digest: str) -> str:
    """The lock with the line naming the requirements it was compiled from, after its header."""
    lines = [line for line in lock.splitlines() if not line.startswith(DIGEST_PREFIX)]
    header = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    lines.insert(header, DIGEST_PREFIX + digest)
    return "\n".join(lines) + "\n"


def locked_digest(lock: str) -> str | None:
    """The digest a lock was compiled with (see :func:`with_digest`), if it has one."""
    for line in lock.splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def lock_commands(uv: Path, extra_args: Sequence[str] = ()) -> list[list[str]]:
    """The two ``uv pip compile`` runs: the development lock, then the runtime lock inside it.

    ``--universal`` makes one lock for every platform and Python the project supports (the
    image's 3.12 as well as a developer's 3.11), and ``--generate-hashes`` lists the hash of
    every file of each pinned version. Both read the build backend's requirements from stdin
    (``-``), so the project builds from locked files too. The runtime lock is constrained by
    the development lock: the image runs the versions the tests ran. With ``-o`` uv keeps the
    versions already locked unless the requirements need others (or ``--upgrade`` is given).
    """
    compile_ = [
        *(str(uv), "pip", "compile", "--universal", "--generate-hashes"),
        *("--custom-compile-command", LOCK_COMMAND),
    ]
    extras = [argument for extra in EXTRAS.split(",") for argument in ("--extra", extra)]
    return [
        [*compile_, *extras, "pyproject.toml", "-", "-o", str(DEV_LOCK), *extra_args],
        [
            *compile_,
            "-c",
            str(DEV_LOCK),
            "pyproject.toml",
            "-",
            "-o",
            str(RUNTIME_LOCK),
            *extra_args,
        ],
    ]


def write_locks(uv: Path, extra_args: Sequence[str] = ()) -> int:
    """Compile both locks from pyproject.toml and mark them with its requirements' digest."""
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    build = "".join(f"{line}\n" for line in declared_requirements(pyproject)["build-system"])
    (ROOT / DEV_LOCK).parent.mkdir(exist_ok=True)
    for command in lock_commands(uv, extra_args):
        compiled = subprocess.run(
            command, cwd=ROOT, input=build.encode(), stdout=subprocess.DEVNULL
        )
        if compiled.returncode != 0:
            return compiled.returncode
        output = ROOT / command[command.index("-o") + 1]
        digest = requirements_digest(pyproject)
        output.write_text(with_digest(output.read_text(encoding="utf-8"), digest), "utf-8")
    return 0


def lock(extra_args: Sequence[str]) -> int:
    """``rathaus.py lock``: compile the locks after a dependency change, then install from them.

    uv comes with the lint extra: a venv without it is brought up to the current lock first.
    """
    uv = VENV / "bin" / "uv"
    if not uv.exists():
        ensure_dependencies()
    print(f"Compiling {DEV_LOCK} and {RUNTIME_LOCK} from pyproject.toml (uv) …", flush=True)
    code = write_locks(uv, extra_args)
    if code != 0:
        print("Compiling the locks failed (see uv's message above).", file=sys.stderr)
        return code
    ensure_dependencies()
    print(f"Locked. Commit pyproject.toml together with {DEV_LOCK.parent}/.", flush=True)
    return 0


def audit_command(python: Path, extra_args: Sequence[str] = ()) -> list[str]:
    """pip-audit over both locks, exactly as locked: nothing is resolved or installed.

    ``--strict`` fails the audit when a package could not be looked up; without it an
    unreachable vulnerability service reads as "no known vulnerabilities".
    """
    return [
        *(str(python), "-m", "pip_audit", "--strict", "--disable-pip", "--require-hashes"),
        *("--progress-spinner", "off", "--aliases", "on"),
        *("-r", str(DEV_LOCK), "-r", str(RUNTIME_LOCK), *extra_args),
    ]


def audit(extra_args: Sequence[str]) -> int:
    """``rathaus.py audit``: known vulnerabilities in the locked versions; non-zero if any."""
    ensure_dependencies()
    code = subprocess.run(audit_command(venv_python(), extra_args), cwd=ROOT).returncode
    if code != 0:
        print(
            "\nThe audit failed: known vulnerabilities (listed above), or packages it could not "
            "look up (the vulnerability service unreachable; `-s osv` asks OSV instead).",
            file=sys.stderr,
        )
    return code


INSTALLATION_COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {"lock": lock, "audit": audit}


def chromium_plan(present: bool, is_root: bool, has_apt: bool) -> str:
    """What to do about Chromium: ``present``, ``install`` (with apt-get) or ``cannot``."""
    if present:
        return "present"
    return "install" if is_root and has_apt else "cannot"


def ensure_chromium() -> bool:
    """Debian's Chromium for the browser tests: installed with apt-get where we may.

    Returns whether ``/usr/bin/chromium`` is there. Without it the run goes on after a
    warning: only browser tests need it.
    """
    plan = chromium_plan(
        CHROMIUM.exists(),
        hasattr(os, "geteuid") and os.geteuid() == 0,
        bool(shutil.which("apt-get")),
    )
    if plan == "present":
        return True
    if plan == "install":
        print("Installing Chromium for the browser tests (apt-get, once) …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "chromium"]
        # An image with no (or stale) package lists fails the install: update once, retry.
        if _quiet(install, env) or (
            _quiet(["apt-get", "update", "-q"], env) and _quiet(install, env)
        ):
            return CHROMIUM.exists()
    print(
        f"Warning: {CHROMIUM} is missing and could not be installed (as root: apt-get install "
        "chromium); browser tests will be skipped.",
        file=sys.stderr,
    )
    return False


def _quiet(command: list[str], env: dict[str, str]) -> bool:
    """Run a command without its output; whether it succeeded."""
    try:
        result = subprocess.run(command, env=env, capture_output=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def usage() -> str:
    """The short help (without installing anything)."""
    return (
        "usage: python3 rathaus.py start [--only SERVICE]"
        "\n       python3 rathaus.py test [--no-lint] [PYTEST ARGS]"
        "\n       python3 rathaus.py mailbox"
        "\n       python3 rathaus.py lock [UV PIP COMPILE ARGS, e.g. --upgrade]"
        "\n       python3 rathaus.py audit [PIP-AUDIT ARGS]"
        "\n\n  start    the whole suite with embedded NATS + PostgreSQL and demo towns"
        "\n  test     the whole test suite (lint, types, unit, integration, e2e)"
        "\n  mailbox  only the development mail sink and its web mailbox"
        "\n  lock     compile requirements/*.lock from pyproject.toml (after a dependency change)"
        "\n  audit    known vulnerabilities in the locked dependencies (pip-audit; needs network)"
        "\n\n`python3 rathaus.py start|test|mailbox --help` tells more."
    )


def main(argv: list[str]) -> int:
    """Bootstrap, then run ``python -m devstack`` in the venv (this process is replaced)."""
    if sys.version_info < MINIMUM_PYTHON:
        version = ".".join(map(str, sys.version_info[:3]))
        print(f"RathausCloud needs Python 3.11 or newer; this is {version}.", file=sys.stderr)
        return 1
    if not argv or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr if argv and argv[0] not in ("-h", "--help") else sys.stdout)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    ensure_venv()
    if argv[0] in INSTALLATION_COMMANDS:
        return INSTALLATION_COMMANDS[argv[0]](argv[1:])
    ensure_dependencies()
    if argv[0] == "test":
        ensure_chromium()
    python = str(venv_python())
    os.chdir(ROOT)
    sys.stdout.flush()
    os.execv(python, [python, "-m", "devstack", *argv])
    return 0  # not reached: execv replaced this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
