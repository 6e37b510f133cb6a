"""The worker process: runs jobs in another process, at lower priority, survives its death."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from runtime.worker import NICENESS, Job, Worker


def whoami(_: object) -> bytes:
    """The worker's pid and niceness (rendered by the worker)."""
    return f"{os.getpid()} {os.nice(0)}".encode()


def die_once(marker: str) -> bytes:
    """Kill the worker the first time (as the OOM killer would), render the second time."""
    if not Path(marker).exists():
        Path(marker).write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    return b"%PDF-rendered"


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


async def test_a_job_runs_in_a_worker_process_that_yields_to_the_service() -> None:
    worker = Worker()
    try:
        pid, niceness = (await worker(whoami, None)).split()
    finally:
        worker.close()
    assert int(pid) != os.getpid()
    assert int(niceness) == min(os.nice(0) + NICENESS, 19)


async def test_a_worker_that_dies_is_replaced_and_the_job_run_again(
    tmp_path: Path,
) -> None:
    worker = Worker()
    try:
        assert await worker(die_once, str(tmp_path / "marker")) == b"%PDF-rendered"
        assert (tmp_path / "marker").read_text() == "died"
    finally:
        worker.close()


async def test_a_job_named_by_its_path_is_imported_only_in_the_worker() -> None:
    worker = Worker()
    try:
        ran_in = await worker(Job[object, int]("tests.unit.runtime.worker_job:pid"), None)
    finally:
        worker.close()
    assert ran_in != os.getpid()
    assert "tests.unit.runtime.worker_job" not in sys.modules


async def test_closing_stops_the_worker() -> None:
    worker = Worker()
    pid = int((await worker(whoami, None)).split()[0])
    worker.close()
    assert _gone(pid)


@pytest.mark.timeout(60)
def test_a_worker_ends_when_its_service_is_killed_outright(tmp_path: Path) -> None:
    service = tmp_path / "service.py"
    service.write_text(
        textwrap.dedent(
            """
            import asyncio, sys, time
            from runtime.worker import Worker
            from tests.unit.runtime.test_worker import whoami

            async def main() -> None:
                pid = (await Worker()(whoami, None)).split()[0]
                print(pid.decode(), flush=True)
                time.sleep(120)

            if __name__ == "__main__":
                asyncio.run(main())
            """
        )
    )
    root = Path(__file__).resolve().parents[3]
    parent = subprocess.Popen(
        [sys.executable, str(service)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(root)},
        text=True,
    )
    try:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        parent.kill()
        parent.wait()
        assert _gone(worker), "the worker outlived its killed service"
    finally:
        parent.kill()
