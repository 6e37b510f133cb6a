"""``rathaus.py start`` for real: embedded servers, five services, Ctrl-C, data kept."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
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

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text in line:
                return
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
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self.wait_for("Stopped.", timeout=5)
        return code


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "rathaus"


def children_alive(data_dir: Path) -> list[str]:
    """Processes still running from this data folder or with its servers' files."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if str(data_dir) in line]


def test_start_serves_all_five_stops_on_ctrl_c_and_keeps_the_data(data_dir: Path) -> None:
    stack = Stack.start(data_dir)
    try:
        stack.wait_for(READY_LINE, timeout=240)
        intake = stack.url("intake API").removesuffix("/api/v1")
        mailbox = stack.url("mailbox")
        with httpx.Client(timeout=10) as client:
            towns = client.get(f"{intake}/api/v1/towns").json()
            assert len(towns) == 18
            posted = client.post(
                f"{intake}/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications",
                json=json.loads(EXAMPLE.read_text(encoding="utf-8")),
            )
            assert posted.status_code == 201, posted.text
            status_url = posted.json()["status_url"]
            deadline = time.monotonic() + 60
            while (status := client.get(status_url)).json().get("status") != "filed":
                # 404 until intake has projected its own event, then each step in turn
                assert time.monotonic() < deadline, status.text
                time.sleep(0.2)
            mails = client.get(f"{mailbox}/api/messages").json()
            assert any(m["subject"].startswith("Eingangsbestätigung") for m in mails)
    finally:
        code = stack.interrupt()
    assert code == 0, "\n".join(stack.seen)
    assert children_alive(data_dir) == []

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
