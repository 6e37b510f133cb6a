"""The steps of ``rathaus.py test`` and how their outcome is reported."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from devstack import cli
from devstack.checks import Outcome, Step, mypy_targets, plan, summary_lines, worker_count


def test_lint_then_types_then_tests_with_the_extra_arguments_for_pytest() -> None:
    steps = plan(["-k", "towns", "-x"])
    assert [s.name for s in steps] == ["ruff check", "ruff format", "mypy", "pytest"]
    assert steps[1].command[1:] == ["-m", "ruff", "format", "--check", "."]
    assert steps[3].command == [sys.executable, "-m", "pytest", "-k", "towns", "-x"]


def test_the_tests_run_in_two_processes_each_module_whole_in_one() -> None:
    [step] = plan(["-k", "towns"], lint=False, workers=2)
    assert step.command[3:] == ["-n", "2", "--dist", "loadfile", "-k", "towns"]


@pytest.mark.parametrize("chosen", [["-n", "0"], ["-n4"], ["--numprocesses=3"], ["-p", "no:xdist"]])
def test_workers_the_caller_chose_are_left_alone(chosen: list[str]) -> None:
    [step] = plan([*chosen, "-x"], lint=False, workers=2)
    assert step.command[3:] == [*chosen, "-x"]


def test_one_worker_runs_pytest_as_it_is() -> None:
    [step] = plan(["-x"], lint=False, workers=1)
    assert step.command[3:] == ["-x"]


@pytest.mark.parametrize(
    ("configured", "cores", "workers"),
    [("", 2, 2), ("", 16, 4), ("", 1, 1), ("1", 8, 1), ("3", 2, 3)],
)
def test_one_worker_per_core_at_most_four_unless_configured(
    monkeypatch: pytest.MonkeyPatch, configured: str, cores: int, workers: int
) -> None:
    monkeypatch.setenv("RATHAUS_TEST_WORKERS", configured)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert worker_count() == workers


def test_no_lint_runs_only_pytest() -> None:
    assert [s.name for s in plan([], lint=False)] == ["pytest"]


def test_mypy_checks_the_packages_there_are_and_the_bootstrap_script(tmp_path: Path) -> None:
    for name in ("contracts", "runtime", "devstack"):
        (tmp_path / name).mkdir()
    (tmp_path / "rathaus.py").write_text("")
    assert mypy_targets(tmp_path) == ["contracts", "runtime", "devstack", "rathaus.py"]


def test_the_summary_has_a_line_per_step_and_names_the_failed_ones() -> None:
    lines = summary_lines(
        [
            Outcome(Step("ruff check", []), 0, 0.41),
            Outcome(Step("mypy", []), 1, 10.83),
        ]
    )
    assert lines == [
        "  ✓ ruff check      0.4 s",
        "  ✗ mypy           10.8 s   (exit code 1)",
        "FAILED steps: mypy",
    ]


def test_the_summary_cannot_be_mistaken_for_a_test_count() -> None:
    """CI reads 'N passed, N failed' lines as test counts: ours must never look like one."""
    outcomes = [Outcome(Step("pytest", []), 0, 1.0)]
    counting = re.compile(r"\d+ passed|\d+ failed")
    assert not any(counting.search(line) for line in summary_lines(outcomes))


def test_test_arguments_go_to_pytest_verbatim(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run_checks(pytest_args: list[str], lint: bool = True) -> int:
        seen.update(args=pytest_args, lint=lint)
        return 3

    monkeypatch.setattr("devstack.checks.run_checks", fake_run_checks)
    code = cli.main(["test", "--no-lint", "-k", "towns and not slow", "-p", "no:cacheprovider"])
    assert code == 3
    assert seen == {"args": ["-k", "towns and not slow", "-p", "no:cacheprovider"], "lint": False}
