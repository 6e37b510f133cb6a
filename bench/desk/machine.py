"""What the machine did besides the benchmark, and how much memory the servers took.

``Load`` tells, per phase, how busy the two cores were with work that is not the benchmark's
(other engineers' tests): all busy CPU time minus that of the benchmark's own process tree
(load generator, services, NATS, PostgreSQL, issuer). ``MemorySampler`` notes, once a second,
PostgreSQL's memory — the proportional set size (PSS) summed over the postmaster and its
backends, so shared buffers count once — and keeps the peak; a single process's peak is its
``VmHWM``.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil


def cpu_seconds(pid: int, *, tree: bool = True) -> float:
    """CPU time (user + system) of a process — and of everything it started — so far."""
    total = 0.0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)] if tree else [root]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
        if tree:  # children that have ended (PostgreSQL's backends)
            total += times.children_user + times.children_system
    return total


def busy_seconds() -> float:
    """CPU time all cores spent busy since boot."""
    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0))


@dataclass
class Load:
    """CPU use during one phase: the benchmark's parts' and everyone else's."""

    parts: dict[str, int] = field(default_factory=dict)
    """The processes to account for by name (PostgreSQL with its backends)."""
    started_busy: float = field(default_factory=busy_seconds)
    started_ours: float = field(default_factory=lambda: cpu_seconds(os.getpid()))
    started_wall: float = field(default_factory=time.monotonic)
    started_parts: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.started_parts = {name: cpu_seconds(pid) for name, pid in self.parts.items()}

    def report(self) -> dict[str, Any]:
        """Shares of the machine's cores (1.0 = all of them busy the whole phase), and each
        part's CPU as a share of one core."""
        wall = time.monotonic() - self.started_wall
        cores = psutil.cpu_count() or 1
        busy = busy_seconds() - self.started_busy
        ours = cpu_seconds(os.getpid()) - self.started_ours
        return {
            "seconds": round(wall, 1),
            "busy_share": round(busy / (wall * cores), 2),
            "benchmark_share": round(ours / (wall * cores), 2),
            "other_work_share": round(max(0.0, busy - ours) / (wall * cores), 2),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "cpu_of_one_core": {
                name: round((cpu_seconds(pid) - self.started_parts[name]) / wall, 2)
                for name, pid in self.parts.items()
            },
        }


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set size (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(PSS, RSS) summed over a process and its children, in MB."""
    pss = rss = 0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        pss += getattr(info, "pss", info.rss)
        rss += info.rss
    return pss / 2**20, rss / 2**20


class MemorySampler(threading.Thread):
    """Samples a process tree's memory once a second; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_pss_mb = self.peak_rss_mb = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            try:
                pss, rss = tree_memory_mb(self.pid)
            except psutil.Error:
                continue
            self.peak_pss_mb = max(self.peak_pss_mb, pss)
            self.peak_rss_mb = max(self.peak_rss_mb, rss)

    def stop(self) -> None:
        """Stop sampling (the peaks stay)."""
        self._halt.set()
