"""One development stack per data folder, and cleaning up after one that was killed.

The stack records its own pid and those of the processes it starts in ``<data>/run.json``.
A second start while the first runs is refused. If the recorded stack is gone (killed with
SIGKILL, a closed laptop lid that never came back…), the processes it left behind — still
holding the data folder and the ports — are stopped before the new start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType


class AlreadyRunningError(Exception):
    """Another development stack runs on the same data folder."""


PROC = Path("/proc")


def _cmdline(pid: int) -> str | None:
    """The command line of a running process; None if none runs; "" if it cannot be read."""
    if PROC.is_dir():
        try:
            raw = (PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        # A zombie (killed, not yet reaped) has an empty command line: it runs no more.
        return raw.replace(b"\0", b" ").decode(errors="replace").strip() or None
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return None
    return ""  # alive, but no /proc to read (not Linux): the command line is unknown


def _same_process(pid: int, cmdline: str) -> bool:
    """Whether ``pid`` still runs the recorded command (and is not a recycled pid)."""
    current = _cmdline(pid)
    return current is not None and current in (cmdline, "")


def _stop(pid: int, sig: signal.Signals, timeout: float = 30.0) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _cmdline(pid) is None:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class RunLock:
    """Held while a stack runs; ``record`` adds a started process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.children: dict[str, dict[str, object]] = {}
        self.left_behind: list[str] = []

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        previous = self._read()
        if previous:
            pid = int(str(previous.get("pid", 0)))
            if pid != os.getpid() and _same_process(pid, str(previous.get("cmdline", ""))):
                raise AlreadyRunningError(
                    f"the development stack already runs (pid {pid}); stop it with Ctrl-C in its "
                    f"terminal or `kill {pid}`"
                )
            self.left_behind = self._stop_left_behind(previous)
        self._write()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.path.unlink(missing_ok=True)

    def record(
        self,
        name: str,
        process: subprocess.Popen[bytes],
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        """Remember a started process, to be stopped if this stack dies without cleaning up."""
        args = process.args
        command = [str(a) for a in args] if isinstance(args, list | tuple) else [str(args)]
        # The command as started, not as /proc shows it now: a child just forked may not have
        # exec'd yet. After exec, /proc/<pid>/cmdline is exactly these arguments.
        self.children[name] = {
            "pid": process.pid,
            "cmdline": " ".join(command),
            "signal": int(stop_signal),
        }
        self._write()

    def _stop_left_behind(self, previous: dict[str, object]) -> list[str]:
        stopped = []
        children = previous.get("children", {})
        assert isinstance(children, dict)
        for name, child in children.items():
            pid, cmdline = int(child["pid"]), str(child["cmdline"])
            if cmdline and _same_process(pid, cmdline):
                _stop(pid, signal.Signals(int(child["signal"])))
                stopped.append(name)
        return stopped

    def _read(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write(self) -> None:
        data = {"pid": os.getpid(), "cmdline": _cmdline(os.getpid()), "children": self.children}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2))
        temporary.replace(self.path)
