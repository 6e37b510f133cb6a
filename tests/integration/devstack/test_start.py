"""``rathaus.py start`` for real: embedded servers, five services, Ctrl-C, data kept.

And the stack heals: a service, NATS or PostgreSQL killed with SIGKILL is started again on
its port, the suite becomes ready again and takes applications, and Ctrl-C still leaves
nothing running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
import psutil
import pytest

from tests.support.applications import EXAMPLE, WURZEN

ROOT = Path(__file__).parents[3]
READY_LINE = "Press Ctrl-C to stop."


@dataclass
class Stack:
    """A running ``python -m devstack start`` and what it printed."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    started: list[psutil.Process] = field(default_factory=list)

    def left_running(self) -> list[str]:
        """Of the processes the stack had started when it was interrupted, those still running."""
        return [f"{p.pid} {p.name()}" for p in self.started if _runs(p)]

    @classmethod
    def start(cls, data_dir: Path) -> Stack:
        # Only the embedded defaults: no outside servers, whatever the test run was given.
        env = {k: v for k, v in os.environ.items() if not k.endswith(("NATS_URL", "DATABASE_URL"))}
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "start", "--data-dir", str(data_dir)],
            cwd=ROOT,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        stack = cls(process)
        threading.Thread(target=stack._pump, daemon=True).start()
        return stack

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str | re.Pattern[str], timeout: float) -> str:
        """Read the console until a line contains ``text`` (or matches it); that line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text.search(line) if isinstance(text, re.Pattern) else text in line:
                return line
        output = "\n".join(self.seen)
        raise AssertionError(f"{text!r} not printed in {timeout} s:\n{output}")

    def url(self, label: str) -> str:
        """The first URL on the summary line that starts with ``label``."""
        for line in self.seen:
            if line.strip().startswith(label):
                found = re.search(r"https?://[\w.:]+", line)
                if found:
                    return found.group(0)
        raise AssertionError(f"no {label} URL in:\n" + "\n".join(self.seen))

    def interrupt(self) -> int:
        """Ctrl-C; the exit code. ``left_running`` then names what it started and did not stop."""
        with contextlib.suppress(psutil.NoSuchProcess):
            self.started = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self.wait_for("Stopped.", timeout=5)
        return code


def _runs(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A fresh data folder outside pytest's own temporary folder.

    The embedded PostgreSQL runs as an unprivileged user (when the tests run as root) and must
    be able to reach its folder — also when it is restarted; pytest closes its base folder to
    other users again whenever another test run starts on the machine.
    """
    with tempfile.TemporaryDirectory(prefix="rathaus-start-", ignore_cleanup_errors=True) as folder:
        yield Path(folder) / "rathaus"


def recorded_pid(data_dir: Path, name: str) -> int:
    """The pid the run lock holds for ``name`` (a service, ``nats`` or ``postgres``)."""
    run = json.loads((data_dir / "run.json").read_text())
    return int(run["children"][name]["pid"])


def is_gone(pid: int) -> bool:
    """Whether ``pid`` has ended and was collected by its parent (a zombie still exists)."""
    try:
        status = psutil.Process(pid).status()
    except psutil.NoSuchProcess:
        return True
    assert status != psutil.STATUS_ZOMBIE, f"{pid} is a zombie: nobody collected it"
    return False


def zombies_under(pid: int) -> list[str]:
    """The descendants of ``pid`` that have ended but were never collected."""
    children = psutil.Process(pid).children(recursive=True)
    return [f"{c.pid}" for c in children if c.status() == psutil.STATUS_ZOMBIE]


def restarted(stack: Stack, what: str, old_pid: int, run_name: str, data_dir: Path) -> int:
    """Wait until the console says ``what`` was restarted and is ready; its new pid."""
    stack.wait_for(re.compile(rf"! {what} +exited \(code -9, signal SIGKILL\); restarting"), 10)
    assert is_gone(old_pid), f"{what}'s old process {old_pid} is left behind"
    stack.wait_for(re.compile(rf"✓ {what} +ready again at "), 60)
    new_pid = recorded_pid(data_dir, run_name)
    assert new_pid != old_pid, "the run lock knows the new process"
    assert psutil.pid_exists(new_pid)
    return new_pid


def all_ready_again(stack: Stack, timeout: float = 60) -> None:
    """Wait until every service's /readyz answers 200 (they reconnect by themselves)."""
    urls = {u for line in stack.seen for u in re.findall(r"https?://[\w.:]+/readyz", line)}
    assert len(urls) == 5, stack.seen
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        for url in urls:
            while not _answers_200(client, url):
                assert time.monotonic() < deadline, f"{url} not ready again"
                time.sleep(0.2)


def _answers_200(client: httpx.Client, url: str) -> bool:
    try:
        return client.get(url).status_code == 200
    except httpx.HTTPError:
        return False


def submit_until_filed(client: httpx.Client, intake: str) -> str:
    """POST the example application and follow it until archive has filed it; its status URL."""
    posted = client.post(
        f"{intake}/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications",
        json=json.loads(EXAMPLE.read_text(encoding="utf-8")),
    )
    assert posted.status_code == 201, posted.text
    status_url: str = posted.json()["status_url"]
    deadline = time.monotonic() + 60
    while (status := client.get(status_url)).json().get("status") != "filed":
        # 404 until intake has projected its own event, then each step in turn
        assert time.monotonic() < deadline, status.text
        time.sleep(0.2)
    return status_url


def assert_nats_is_locked(stack: Stack, data_dir: Path) -> None:
    """The embedded NATS admits only the generated users; their passwords are kept private."""
    for private in ("credentials.json", "nats.conf"):
        assert (data_dir / "nats" / private).stat().st_mode & 0o077 == 0, private
    url = next(
        found.group(0)
        for line in stack.seen
        if line.strip().startswith("NATS") and (found := re.search(r"nats://[\w.:]+", line))
    )
    passwords = json.loads((data_dir / "nats" / "credentials.json").read_text())
    assert set(passwords) == {"intake", "casework", "billing", "archive", "notify", "admin"}

    async def anonymous() -> str:
        try:
            await (await nats.connect(url, allow_reconnect=False, connect_timeout=2)).close()
        except nats.errors.Error as exc:
            return str(exc)
        return "admitted"

    assert "Authorization Violation" in asyncio.run(anonymous())


def children_alive(data_dir: Path) -> list[str]:
    """Processes still running from this data folder: by their command line or, as
    PostgreSQL's backends (whose command line names no folder), by their working folder."""
    alive = []
    for process in psutil.process_iter(["cmdline", "cwd"]):
        command, cwd = " ".join(process.info["cmdline"] or []), process.info["cwd"] or ""
        if str(data_dir) in command or cwd.startswith(str(data_dir)):
            alive.append(f"{process.pid} {command}")
    return alive


def assert_the_printed_operator_token_works(
    stack: Stack, client: httpx.Client, intake: str
) -> None:
    """The summary names the issuer and a curl line for an operator token; the token works."""
    assert stack.url("issuer (OIDC)").startswith("http://127.0.0.1:")
    line = next(line for line in stack.seen if line.strip().startswith("operator token"))
    found = re.search(r"-u (\S+):(\S+) -d grant_type=client_credentials (http\S+/token)", line)
    assert found, line
    client_id, secret, token_url = found.groups()
    answer = client.post(
        token_url, data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    assert client.get(f"{intake}/ops/v1/projections").status_code == 401
    assert client.get(f"{intake}/ops/v1/projections", headers=bearer).status_code == 200


def assert_the_printed_desk_sends_clerks_to_the_issuer(stack: Stack, client: httpx.Client) -> None:
    """The summary names the desk; it sends a browser to the development issuer's login."""
    desk = stack.url("clerks' desk")
    assert any(line.strip().startswith("demo clerks") for line in stack.seen)
    page = client.get(f"{desk}/desk/")
    assert page.status_code == 303
    sign_in = client.get(f"{desk}{page.headers['location']}")
    assert sign_in.status_code == 303
    assert sign_in.headers["location"].startswith(f"{stack.url('issuer (OIDC)')}/authorize?")
    assert "client_id=rathaus-desk" in sign_in.headers["location"]


def assert_the_payment_simulator_serves_unless_its_port_was_taken(
    stack: Stack, client: httpx.Client
) -> None:
    [line] = [line for line in stack.seen if "payment simulator" in line]
    if "is taken" in line:
        return  # something else on this machine holds 8096: the stack says so and goes on
    found = re.search(r"https?://[\w.:]+", line)
    assert found, line
    unknown = client.get(f"{found.group(0)}/pay/unbekannt")
    assert unknown.status_code == 404  # the simulator's own answer for a payment it never took


def test_start_serves_all_five_stops_on_ctrl_c_and_keeps_the_data(data_dir: Path) -> None:
    stack = Stack.start(data_dir)
    try:
        stack.wait_for(READY_LINE, timeout=240)
        intake = stack.url("intake API").removesuffix("/api/v1")
        mailbox = stack.url("mailbox")
        with httpx.Client(timeout=10) as client:
            towns = client.get(f"{intake}/api/v1/towns").json()
            assert len(towns) == 18
            assert_the_printed_operator_token_works(stack, client, intake)
            assert_the_printed_desk_sends_clerks_to_the_issuer(stack, client)
            status_url = submit_until_filed(client, intake)  # each service as its own user
            assert_nats_is_locked(stack, data_dir)
            mails = client.get(f"{mailbox}/api/messages").json()
            assert any(m["subject"].startswith("Eingangsbestätigung") for m in mails)
            assert_the_payment_simulator_serves_unless_its_port_was_taken(stack, client)
    finally:
        code = stack.interrupt()
    assert code == 0, "\n".join(stack.seen)
    assert children_alive(data_dir) == []
    assert stack.left_running() == []

    again = Stack.start(data_dir)
    try:
        again.wait_for(READY_LINE, timeout=240)
        assert any("databases" in line and "(new)" not in line for line in again.seen)
        with httpx.Client(timeout=10) as client:
            kept = client.get(status_url.replace(stack.url("intake API"), again.url("intake API")))
            assert kept.status_code == 200
            assert kept.json()["status"] == "filed"
    finally:
        assert again.interrupt() == 0
    assert children_alive(data_dir) == []
    assert again.left_running() == []


def test_a_killed_service_is_restarted_on_its_port_and_the_suite_goes_on(data_dir: Path) -> None:
    stack = Stack.start(data_dir)
    try:
        stack.wait_for(READY_LINE, timeout=240)
        old = recorded_pid(data_dir, "casework")
        os.kill(old, signal.SIGKILL)
        restarted(stack, "casework", old, "casework", data_dir)
        all_ready_again(stack)
        with httpx.Client(timeout=10) as client:
            submit_until_filed(client, stack.url("intake API").removesuffix("/api/v1"))
        assert zombies_under(stack.process.pid) == []
    finally:
        code = stack.interrupt()
    assert code == 0, "\n".join(stack.seen)
    assert children_alive(data_dir) == []
    assert stack.left_running() == []


def test_a_killed_nats_is_collected_and_restarted_and_ctrl_c_then_stops_all(
    data_dir: Path,
) -> None:
    stack = Stack.start(data_dir)
    try:
        stack.wait_for(READY_LINE, timeout=240)
        old = recorded_pid(data_dir, "nats")
        os.kill(old, signal.SIGKILL)
        new = restarted(stack, "NATS JetStream", old, "nats", data_dir)
        all_ready_again(stack)
        with httpx.Client(timeout=10) as client:
            submit_until_filed(client, stack.url("intake API").removesuffix("/api/v1"))
        assert zombies_under(stack.process.pid) == []
        os.kill(new, signal.SIGKILL)  # again, soon after: a longer back-off, and Ctrl-C in it
        stack.wait_for(
            re.compile(r"! NATS JetStream +exited .*restarting in 2 s \(restart 2\)"), 10
        )
    finally:
        code = stack.interrupt()
    assert code == 0, "\n".join(stack.seen)
    assert any(re.search(r"NATS JetStream +was not running", line) for line in stack.seen)
    assert not any(re.search(r"NATS JetStream +stopped", line) for line in stack.seen)
    assert children_alive(data_dir) == []
    assert stack.left_running() == []


def test_a_killed_postgres_is_restarted_on_its_data_and_the_suite_goes_on(data_dir: Path) -> None:
    stack = Stack.start(data_dir)
    try:
        stack.wait_for(READY_LINE, timeout=240)
        old = recorded_pid(data_dir, "postgres")
        os.kill(old, signal.SIGKILL)
        restarted(stack, "PostgreSQL", old, "postgres", data_dir)
        all_ready_again(stack)
        with httpx.Client(timeout=10) as client:
            submit_until_filed(client, stack.url("intake API").removesuffix("/api/v1"))
    finally:
        code = stack.interrupt()
    assert code == 0, "\n".join(stack.seen)
    assert any(re.search(r"PostgreSQL +stopped", line) for line in stack.seen)
    assert children_alive(data_dir) == []
    assert stack.left_running() == []
