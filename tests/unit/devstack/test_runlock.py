"""One stack per data folder; what a killed stack left running is stopped by the next."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.runlock import AlreadyRunningError, RunLock


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "60"])
    deadline = time.monotonic() + 5
    # Until the child has exec'd, /proc shows the forking parent's command line.
    while Path(f"/proc/{process.pid}/cmdline").read_bytes() != b"sleep\x0060\x00":
        assert time.monotonic() < deadline
        time.sleep(0.005)
    yield process
    process.kill()
    process.wait()


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def write_run(path: Path, pid: int, cmdline: str, children: dict[str, object]) -> None:
    path.write_text(json.dumps({"pid": pid, "cmdline": cmdline, "children": children}))


def test_a_second_stack_on_the_same_folder_is_refused(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    run = tmp_path / "run.json"
    write_run(run, sleeper.pid, "sleep 60", {})
    with pytest.raises(AlreadyRunningError, match=f"already runs \\(pid {sleeper.pid}\\)"):
        RunLock(run).__enter__()


def test_what_a_killed_stack_left_running_is_stopped(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    run = tmp_path / "run.json"
    child = {"pid": sleeper.pid, "cmdline": "sleep 60", "signal": 15}
    write_run(run, dead_pid(), "python -m devstack start", {"postgres": child})
    with RunLock(run) as lock:
        assert lock.left_behind == ["postgres"]
        assert sleeper.wait(timeout=5) == -15
    assert not run.exists()


def test_a_recycled_pid_running_something_else_is_left_alone(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    run = tmp_path / "run.json"
    child = {"pid": sleeper.pid, "cmdline": "nats-server -c x.conf", "signal": 15}
    write_run(run, dead_pid(), "python -m devstack start", {"nats": child})
    with RunLock(run) as lock:
        assert lock.left_behind == []
    assert sleeper.poll() is None


def test_started_processes_are_recorded_with_their_command(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    with RunLock(tmp_path / "run.json") as lock:
        lock.record("intake", sleeper)
        recorded = json.loads((tmp_path / "run.json").read_text())
    assert recorded["children"]["intake"] == {
        "pid": sleeper.pid,
        "cmdline": "sleep 60",
        "signal": 15,
    }
