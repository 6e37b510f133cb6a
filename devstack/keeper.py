"""Keeps the development stack's processes running while it waits for Ctrl-C.

A service or an embedded server that dies is noticed (its exit status is collected, so no
zombie is left), announced on the console, and started again on the same port after the
back-off of ``RestartPolicy``. Only a process that crashes again and again stops the stack:
``GaveUpError`` then says which and why. The services reconnect to a restarted NATS or
PostgreSQL by themselves, so only the crashed process itself is restarted.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import NoReturn, Protocol

from devstack.console import OK, WARN, Console
from devstack.restarts import CrashHistory, GiveUp, RestartPolicy, describe_exit, seconds


class Restartable(Protocol):
    """A process the keeper can watch and start again."""

    @property
    def name(self) -> str:
        """How the console names it."""
        ...

    @property
    def location(self) -> str:
        """Where it answers (a URL), for the console."""
        ...

    @property
    def log_path(self) -> Path:
        """Its log file, whose tail explains a crash."""
        ...

    @property
    def exit_code(self) -> int | None:
        """Its exit status once it has ended (collecting it), else ``None``."""
        ...

    def restart(self) -> None:
        """Start it again, on the same port and with the same data."""
        ...

    def is_ready(self) -> bool:
        """Whether it serves again."""
        ...


class GaveUpError(Exception):
    """A process crashed too often to go on; the message says which and why."""

    def __init__(self, target: Restartable, reason: str) -> None:
        super().__init__(f"{target.name} {reason}")
        self.target = target
        self.reason = reason


class Phase(Enum):
    """Where a kept process is in its life."""

    RUNNING = "running"  # up (and was ready once)
    WAITING = "waiting"  # crashed; waiting out the back-off
    STARTING = "starting"  # restarted; not ready yet


@dataclass
class Kept:
    """One kept process and what the keeper knows about it."""

    target: Restartable
    history: CrashHistory
    after_restart: Callable[[], None]
    phase: Phase = Phase.RUNNING
    due: float = 0.0
    restarted_at: float = 0.0


@dataclass
class Keeper:
    """Watches processes, restarts those that die, gives up on those that keep dying."""

    out: Console
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    kept: list[Kept] = field(default_factory=list)

    def keep(self, target: Restartable, after_restart: Callable[[], None] = lambda: None) -> None:
        """Watch ``target`` (running now); ``after_restart`` runs after each restart of it."""
        history = CrashHistory(self.policy, started_at=self.clock())
        self.kept.append(Kept(target, history, after_restart))

    def run(self, interval: float = 0.5) -> NoReturn:
        """Keep everything running until a signal interrupts, or raise ``GaveUpError``."""
        while True:
            self.tick()
            self.sleep(interval)

    def tick(self) -> None:
        """Look at every kept process once and do what is due."""
        for kept in self.kept:
            self._look_at(kept)

    def _look_at(self, kept: Kept) -> None:
        if kept.phase is Phase.WAITING:
            if self.clock() >= kept.due:
                self._restart(kept)
            return
        code = kept.target.exit_code
        if code is not None:
            self._crashed(kept, f"exited ({describe_exit(code)})")
        elif kept.phase is Phase.STARTING and kept.target.is_ready():
            kept.phase = Phase.RUNNING
            took = self.clock() - kept.restarted_at
            self.out.step(
                OK, kept.target.name, f"ready again at {kept.target.location} ({took:.1f} s)"
            )

    def _crashed(self, kept: Kept, what: str) -> None:
        """Decide on a crash: restart after the back-off, or give up."""
        decision = kept.history.crashed(self.clock())
        if isinstance(decision, GiveUp):
            raise GaveUpError(
                kept.target,
                f"{what}; crashed {decision.crashes} times within {seconds(decision.window)}, "
                "giving up",
            )
        kept.phase, kept.due = Phase.WAITING, self.clock() + decision.delay
        self.out.step(
            WARN,
            kept.target.name,
            f"{what}; restarting in {seconds(decision.delay)} (restart {decision.number})",
        )

    def _restart(self, kept: Kept) -> None:
        """Start the process again; a start that fails counts as one more crash."""
        kept.history.started(self.clock())
        kept.restarted_at = self.clock()
        try:
            kept.target.restart()
        except (OSError, RuntimeError, TimeoutError) as exc:
            self._crashed(kept, f"could not be restarted ({exc})")
            return
        kept.after_restart()
        kept.phase = Phase.STARTING


class HasProcess(Protocol):
    """Something that runs as a process of its own (a service, an embedded server)."""

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The current process, if one was started."""
        ...


class Server(HasProcess, Protocol):
    """An embedded server (``EmbeddedNats``, ``EmbeddedPostgres``)."""

    @property
    def url(self) -> str:
        """Where clients connect."""
        ...

    def restart(self) -> object:
        """Start again on the same port and data; returns once it serves."""
        ...


@dataclass
class KeptServer:
    """An embedded server as the keeper sees it."""

    name: str
    server: Server
    log_path: Path

    @property
    def location(self) -> str:
        """The server's URL."""
        return self.server.url

    @property
    def exit_code(self) -> int | None:
        """The server's exit status once it has ended; ``poll`` collects it (no zombie)."""
        process = self.server.process
        return None if process is None else process.poll()

    def restart(self) -> None:
        """Start the server again on its port and data."""
        self.server.restart()

    def is_ready(self) -> bool:
        """Always, after a restart: ``restart`` returns only once the server serves."""
        return True
