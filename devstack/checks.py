"""``python -m devstack test``: linters, type checks and the test suite, with a summary.

Every step runs even when one before it failed, so one run shows everything that is wrong;
the exit code is non-zero if any step failed. pytest starts its own NATS and PostgreSQL
(``tests/conftest.py``) unless ``NATS_URL`` / ``DATABASE_URL`` name servers to use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devstack.console import FAILED, OK, Console
from devstack.suite import ROOT

TYPED_PACKAGES = ("contracts", "runtime", "services", "devstack", "bench", "tests")


@dataclass(frozen=True)
class Step:
    """One check: a name and the command that runs it."""

    name: str
    command: list[str]


@dataclass(frozen=True)
class Outcome:
    """How a step went."""

    step: Step
    exit_code: int
    seconds: float

    @property
    def passed(self) -> bool:
        """Whether the step succeeded."""
        return self.exit_code == 0


def mypy_targets(root: Path = ROOT) -> list[str]:
    """What mypy checks: the packages that exist, and the bootstrap script."""
    targets = [name for name in TYPED_PACKAGES if (root / name).is_dir()]
    return [*targets, "rathaus.py"] if (root / "rathaus.py").is_file() else targets


def worker_count() -> int:
    """How many pytest processes: ``RATHAUS_TEST_WORKERS``, else one per core, at most four.

    Most of an end-to-end test is waiting — for a service to start, a projection to catch
    up, a mail to arrive — so a second process nearly halves the run on two cores (28 → 15
    minutes here). More than four would mostly add servers competing for the same cores.
    """
    configured = os.environ.get("RATHAUS_TEST_WORKERS", "").strip()
    if configured.isdigit():
        return max(1, int(configured))
    return max(1, min(os.cpu_count() or 1, 4))


def distributed(pytest_args: Sequence[str], workers: int) -> list[str]:
    """pytest's arguments with the workers added, unless the caller chose (``-n``, ``-p``).

    ``--dist loadfile`` keeps each module in one process: a module's tests share its
    running suite (``shared_suite``) and run in their order.
    """
    chosen = any(
        a in ("-n", "-p") or a.startswith(("-n", "--numprocesses", "--dist")) for a in pytest_args
    )
    if workers < 2 or chosen:
        return list(pytest_args)
    return ["-n", str(workers), "--dist", "loadfile", *pytest_args]


def plan(
    pytest_args: Sequence[str], lint: bool = True, root: Path = ROOT, workers: int = 1
) -> list[Step]:
    """The steps of a test run, in order."""
    python = sys.executable
    steps = [
        Step("ruff check", [python, "-m", "ruff", "check", "."]),
        Step("ruff format", [python, "-m", "ruff", "format", "--check", "."]),
        Step("mypy", [python, "-m", "mypy", *mypy_targets(root)]),
    ]
    pytest = Step("pytest", [python, "-m", "pytest", *distributed(pytest_args, workers)])
    return [*steps, pytest] if lint else [pytest]


def run_step(step: Step, out: Console, root: Path = ROOT) -> Outcome:
    """Run one step, its output straight to the terminal."""
    out.say(f"\n━━ {step.name}: {' '.join(step.command[2:] or step.command)}")
    started = time.monotonic()
    exit_code = subprocess.call(step.command, cwd=root)
    return Outcome(step, exit_code, time.monotonic() - started)


def summary_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per step, then the verdict."""
    lines = [
        f"  {OK if o.passed else FAILED} {o.step.name:<12} {o.seconds:6.1f} s"
        + ("" if o.passed else f"   (exit code {o.exit_code})")
        for o in outcomes
    ]
    failed = [o.step.name for o in outcomes if not o.passed]
    # Worded so that it cannot be mistaken for a test runner's "N passed, N failed" line.
    verdict = f"FAILED steps: {', '.join(failed)}" if failed else "all steps succeeded"
    return [*lines, verdict]


def run_checks(pytest_args: Sequence[str], lint: bool = True, out: Console | None = None) -> int:
    """Run every step and print the summary; 0 if all succeeded, else 1."""
    console = out or Console()
    outcomes = [run_step(step, console) for step in plan(pytest_args, lint, workers=worker_count())]
    console.say("\n━━ summary")
    for line in summary_lines(outcomes):
        console.say(line)
    return 0 if all(o.passed for o in outcomes) else 1
