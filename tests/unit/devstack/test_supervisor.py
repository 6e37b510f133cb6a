"""What the console shows of the services' logs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import IO

import pytest

from devstack.suite import SERVICES
from devstack.supervisor import LogFollower, RepeatFilter, ServiceProcess, notable


def line(**record: object) -> str:
    return json.dumps({"service": "intake", "timestamp": "2026-11-22T03:54:18Z", **record})


def test_info_lines_stay_in_the_log_file() -> None:
    assert notable(line(level="info", message="service started")) is None


def test_warnings_show_their_message_and_fields_but_not_the_ids() -> None:
    shown = notable(line(level="warning", message="waiting", dependency="NATS", trace_id="ab"))
    assert shown == "warning: waiting  dependency=NATS"


def test_an_error_shows_the_last_line_of_its_exception() -> None:
    record = line(level="error", message="boom", exception="Traceback…\n  x\nValueError: bad")
    assert notable(record) == "error: boom\n    ValueError: bad"


def test_a_line_that_is_no_log_record_is_shown_as_it_is() -> None:
    assert notable("ModuleNotFoundError: No module named 'services.x'") == (
        "ModuleNotFoundError: No module named 'services.x'"
    )
    assert notable('  File "x.py", line 1\n') == '  File "x.py", line 1'
    assert notable("   ") is None


def test_the_same_line_is_shown_once_a_minute() -> None:
    now = [0.0]
    repeats = RepeatFilter(window=60, clock=lambda: now[0])
    assert repeats.admits("a")
    assert not repeats.admits("a")
    assert repeats.admits("b")
    now[0] = 61
    assert repeats.admits("a")


def test_the_follower_shows_each_complete_line_once(tmp_path: Path) -> None:
    log = tmp_path / "intake.log"
    service = ServiceProcess(SERVICES[0], 8001, log)
    shown: list[str] = []
    follower = LogFollower([service], shown.append)
    second = line(level="error", message="two")
    log.write_text(line(level="error", message="one") + "\n" + second[:20])
    follower.poll()
    assert shown == ["[intake] error: one"]
    with open(log, "a") as rest:
        rest.write(second[20:] + "\n")
    follower.poll()
    follower.poll()
    assert shown == ["[intake] error: one", "[intake] error: two"]


def test_the_log_tail_is_of_this_run(tmp_path: Path) -> None:
    log = tmp_path / "intake.log"
    log.write_text("\n".join(f"line {n}" for n in range(50)))
    assert ServiceProcess(SERVICES[0], 8001, log).log_tail(3) == ["line 47", "line 48", "line 49"]


def test_the_log_tail_leaves_out_what_the_console_showed_already(tmp_path: Path) -> None:
    log = tmp_path / "intake.log"
    log.write_text("a\nb\nc\n")
    assert ServiceProcess(SERVICES[0], 8001, log).log_tail(3, without={"b"}) == ["a", "c"]


class FakePopen:
    """Stands in for a service process: says it started, in its log, and runs until ended."""

    started = 0

    def __init__(self, args: list[str], *, stdout: IO[bytes], **options: object) -> None:
        FakePopen.started += 1
        stdout.write(line(level="error", message=f"start {FakePopen.started}").encode() + b"\n")
        self.args, self.pid, self.returncode = args, 4242, None

    def poll(self) -> int | None:
        return self.returncode


def test_a_restart_appends_to_the_log_and_the_follower_loses_no_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    FakePopen.started = 0
    log = tmp_path / "intake.log"
    log.write_text("the last run\n")
    service = ServiceProcess(SERVICES[0], 8001, log)
    shown: list[str] = []
    follower = LogFollower([service], shown.append)
    service.start({"INTAKE_HTTP_PORT": "8001"}, tmp_path)
    follower.poll()
    assert (tmp_path / "intake.log.1").read_text() == "the last run\n"
    with open(log, "a") as crashing:
        crashing.write(line(level="error", message="dying") + "\n")
    assert isinstance(service.process, FakePopen)
    service.process.returncode = -9
    service.restart()
    follower.poll()
    assert shown == ["[intake] error: start 1", "[intake] error: dying", "[intake] error: start 2"]
    assert (service.env, service.cwd) == ({"INTAKE_HTTP_PORT": "8001"}, tmp_path)


def test_a_running_service_is_not_started_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    service = ServiceProcess(SERVICES[0], 8001, tmp_path / "intake.log")
    service.start({}, tmp_path)
    with pytest.raises(RuntimeError, match="intake still runs"):
        service.restart()
