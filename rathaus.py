#!/usr/bin/env python3
"""Develop RathausCloud with two commands; this script needs nothing but Python 3.11+.

    python3 rathaus.py start   # the whole suite with embedded NATS + PostgreSQL and demo towns
    python3 rathaus.py test    # the whole test suite (lint, types, unit, integration, e2e)

It creates ``.venv`` if there is none, installs the project into it whenever
``pyproject.toml`` changed since the last install (a stamp file in ``.venv`` remembers what was
installed), and then hands over to ``python -m devstack`` inside that venv. For ``test`` it
also makes sure Debian's Chromium is there for the browser tests.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
EXTRAS = "embedded,test,lint"
STAMP = VENV / ".rathaus-install-stamp"
INSTALL_LOG = VENV / "rathaus-install.log"
CHROMIUM = Path("/usr/bin/chromium")
COMMANDS = ("start", "test", "mailbox")
MINIMUM_PYTHON = (3, 11)


def venv_python(venv: Path = VENV) -> Path:
    """The venv's interpreter."""
    return venv / "bin" / "python"


def install_fingerprint(pyproject: bytes, extras: str = EXTRAS, root: Path = ROOT) -> str:
    """What an install was made from: the project file, the extras, and where the checkout is.

    The folder counts because an editable install points at it: a moved checkout needs a
    fresh install.
    """
    digest = hashlib.sha256()
    for part in (pyproject, extras.encode(), str(root).encode()):
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


def ensure_dependencies() -> None:
    """Install the project (editable, with its extras) if ``pyproject.toml`` changed."""
    fingerprint = install_fingerprint((ROOT / "pyproject.toml").read_bytes())
    if not needs_install(STAMP, fingerprint):
        return
    print("Installing dependencies … (first run takes a minute)", flush=True)
    command = [
        str(venv_python()),
        *("-m", "pip", "install", "--disable-pip-version-check", "-e", f".[{EXTRAS}]"),
    ]
    started = time.monotonic()
    with open(INSTALL_LOG, "wb") as log:
        code = _run_with_progress(command, log, "Installing dependencies")
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
        "\n\n  start    the whole suite with embedded NATS + PostgreSQL and demo towns"
        "\n  test     the whole test suite (lint, types, unit, integration, e2e)"
        "\n  mailbox  only the development mail sink and its web mailbox"
        "\n\n`python3 rathaus.py COMMAND --help` tells more."
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
