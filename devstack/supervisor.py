"""The service processes of the development stack: start, readiness, logs, stop.

Each service runs as ``python -m services.<name>`` in a session of its own, so a Ctrl-C in
the terminal reaches only the stack, which then stops the services first and the servers
they depend on after them. A service's JSON log goes to its file; the console shows only
its warnings and errors (and anything that is not a JSON log line, such as a traceback).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devstack.suite import ServiceSpec

NOTABLE_LEVELS = frozenset({"warning", "error", "critical", "exception"})
_QUIET_KEYS = frozenset(
    {"timestamp", "level", "message", "event", "service", "trace_id", "span_id", "exception"}
)


def notable(line: str) -> str | None:
    """What the console shows of one log line: warnings and errors compactly, else nothing."""
    text = line.strip()
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return line.rstrip()  # not a log record (a traceback, say): as it is, indented
    if not isinstance(record, dict):
        return line.rstrip()
    level = str(record.get("level", "")).lower()
    if level not in NOTABLE_LEVELS:
        return None
    message = record.get("message", record.get("event", ""))
    details = " ".join(f"{k}={v}" for k, v in record.items() if k not in _QUIET_KEYS)
    shown = f"{level}: {message}" + (f"  {details}" if details else "")
    exception = str(record.get("exception", "")).strip()
    if exception:
        shown += f"\n    {exception.splitlines()[-1]}"
    return shown


def log_tail(
    path: Path, lines: int = 30, without: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """The last ``lines`` lines of a log file, leaving out those in ``without``."""
    if not path.exists():
        return []
    tail = path.read_text(errors="replace").splitlines()[-lines:]
    return [line for line in tail if line not in without]


@dataclass
class ServiceProcess:
    """One service process of the stack."""

    spec: ServiceSpec
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    last_readiness: str = ""
    env: dict[str, str] = field(default_factory=dict, repr=False)
    cwd: Path = Path(".")

    @property
    def name(self) -> str:
        """The service's name."""
        return self.spec.name

    @property
    def url(self) -> str:
        """The service's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def location(self) -> str:
        """Where it answers (the base URL)."""
        return self.url

    def start(self, env: Mapping[str, str], cwd: Path) -> None:
        """Start the process; its output goes to a fresh log file (the last one kept as .1)."""
        self.env, self.cwd = dict(env), cwd
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.log_path.exists():
            self.log_path.replace(self.log_path.with_suffix(".log.1"))
        self._launch()

    def restart(self) -> None:
        """Start again after a crash: same port and environment, appending to the same log.

        Appending keeps the crash's last lines next to the restart's first ones, and the
        console's ``LogFollower`` goes on reading the file where it was.
        """
        if self.exit_code is None:
            raise RuntimeError(f"{self.name} still runs (pid {self.pid})")
        self.end_leftovers()
        self._launch()

    @property
    def pid(self) -> int | None:
        """The process id of the current process, if one was started."""
        return None if self.process is None else self.process.pid

    def _launch(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.spec.module],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def exit_code(self) -> int | None:
        """The exit code if the process has ended, else ``None``."""
        return None if self.process is None else self.process.poll()

    def is_ready(self) -> bool:
        """Whether ``GET /readyz`` answers 200 (what it answered is kept for a report)."""
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as answer:
                self.last_readiness = answer.read().decode(errors="replace")
                return bool(answer.status == 200)
        except urllib.error.HTTPError as exc:
            self.last_readiness = exc.read().decode(errors="replace")
        except (OSError, ValueError) as exc:
            self.last_readiness = str(exc)
        return False

    def log_tail(
        self, lines: int = 30, without: set[str] | frozenset[str] = frozenset()
    ) -> list[str]:
        """The last lines of this run's log, leaving out those in ``without`` (shown already)."""
        return log_tail(self.log_path, lines, without)

    def terminate(self) -> None:
        """Ask the process to stop (SIGTERM)."""
        if self.exit_code is None and self.process is not None:
            self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Stop the process at once."""
        if self.exit_code is None and self.process is not None:
            self.process.kill()
            self.process.wait()

    def end_leftovers(self) -> None:
        """End what the ended process left in its process group: its worker processes.

        A service stopped mid-job or killed does not wait for its workers; they notice and
        exit within a second, but a stack that says "Stopped." must have stopped them. The
        group id stays reserved while a member lives, so it cannot name a stranger.
        """
        if self.process is None or self.exit_code is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


class ServiceFailedError(Exception):
    """A service died or did not get ready; the message says which and why."""

    def __init__(self, service: ServiceProcess, reason: str) -> None:
        super().__init__(f"{service.name} {reason}")
        self.service = service


@dataclass
class RepeatFilter:
    """Lets a line through once per ``window`` seconds: a retry loop must not flood the console."""

    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _last_shown: dict[str, float] = field(default_factory=dict)

    def admits(self, line: str) -> bool:
        """Whether to show ``line`` now."""
        now = self.clock()
        last = self._last_shown.get(line)
        if last is not None and now - last < self.window:
            return False
        self._last_shown[line] = now
        return True


@dataclass
class LogFollower:
    """Shows the notable lines of every service's log on the console, as they are written.

    The same line again within a minute is not shown again (the log file has every one).
    """

    services: list[ServiceProcess]
    show: Callable[[str], None]
    interval: float = 0.3
    repeats: RepeatFilter = field(default_factory=RepeatFilter)
    shown: dict[str, set[str]] = field(default_factory=dict)
    _offsets: dict[str, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> LogFollower:
        """Follow in a background thread."""
        self._thread = threading.Thread(target=self._run, name="log-follower", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Show what is left, then stop following."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.poll()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def poll(self) -> None:
        """Show the notable complete lines written since the last poll."""
        for service in self.services:
            for line in self._new_lines(service):
                shown = notable(line)
                if shown is not None and self.repeats.admits(f"[{service.name}] {shown}"):
                    self.show(f"[{service.name}] {shown}")
                    self.shown.setdefault(service.name, set()).add(line)

    def _new_lines(self, service: ServiceProcess) -> list[str]:
        try:
            with open(service.log_path, "rb") as log:
                log.seek(self._offsets.get(service.name, 0))
                data = log.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self._offsets[service.name] = self._offsets.get(service.name, 0) + len(complete)
        return complete.decode(errors="replace").splitlines()


def wait_until_ready(
    services: list[ServiceProcess],
    timeout: float,
    on_waiting: Callable[[ServiceProcess], None],
    on_ready: Callable[[ServiceProcess, float], None],
) -> None:
    """Block until every service answers ``/readyz`` with 200, else raise ``ServiceFailedError``."""
    started = time.monotonic()
    pending = list(services)
    waiting_for: ServiceProcess | None = None
    while pending:
        for service in list(pending):
            if service.exit_code is not None:
                raise ServiceFailedError(service, f"exited with code {service.exit_code}")
            if service.is_ready():
                pending.remove(service)
                on_ready(service, time.monotonic() - started)
        if pending and pending[0] is not waiting_for:
            waiting_for = pending[0]
            on_waiting(waiting_for)
        if pending and time.monotonic() - started > timeout:
            raise ServiceFailedError(pending[0], f"not ready after {timeout:.0f} s")
        if pending:
            time.sleep(0.25)


def stop_all(services: list[ServiceProcess], grace: float = 15.0) -> list[str]:
    """SIGTERM every service, SIGKILL those still running after ``grace``; names the killed."""
    for service in services:
        service.terminate()
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(s.exit_code is None for s in services):
        time.sleep(0.1)
    killed = [s.name for s in services if s.exit_code is None]
    for service in services:
        service.kill()
        service.end_leftovers()
    return killed
