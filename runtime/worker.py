"""Heavy pure work — rendering documents, checking e-invoices — in a worker process that
yields to the service.

Laying out a letter or a notice as PDF is tens of milliseconds of fpdf2 and fontTools; checking
an e-invoice against the EN 16931 and XRechnung rules is as much Saxon, whose compiled rules take
hundreds of megabytes. In a thread of the service such work holds the GIL that the service's
event handling needs: billing assessed fees and casework decided cases only between a render's
time slices, and the skeleton's POST → filed latency quadrupled. A worker process has its own
interpreter and memory, and runs at a lower priority, so the work a citizen waits for goes
first and the heavy work takes the CPU that is left. The pool is made at the first job (a
service that has none starts no process) and made again if its worker died (killed, out of
memory); a job is never lost to that, it is run again once.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog

log = structlog.get_logger(__name__)

Argument = TypeVar("Argument")
Result = TypeVar("Result")

NICENESS = 10
"""How much a worker yields: at 10, it gets about a tenth of a core the service wants."""

ORPHAN_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Job(Generic[Argument, Result]):
    """A module-level function named by where it lives (``package.module:function``) and
    imported only in the worker: the service itself never loads fpdf2, fontTools or Saxon,
    which made up a third of its start-up."""

    target: str

    def __call__(self, argument: Argument) -> Result:
        module, _, name = self.target.partition(":")
        function: Callable[[Argument], Result] = getattr(importlib.import_module(module), name)
        return function(argument)


def _yield_to_the_service(niceness: int) -> None:
    """Run in each worker as it starts: lower its priority, and end it with its service."""
    os.nice(niceness)
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    """A service killed outright (SIGKILL, out of memory) cannot stop its workers; each
    notices that it was handed to another parent and ends, rather than lingering idle."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


class Worker:
    """Runs pure functions in a worker process: ``await runtime.worker(render, letter)``."""

    def __init__(self, workers: int = 1, niceness: int = NICENESS) -> None:
        self._workers = workers
        self._niceness = niceness
        self._pool: ProcessPoolExecutor | None = None

    async def __call__(self, job: Callable[[Argument], Result], argument: Argument) -> Result:
        """``job(argument)`` in the worker; ``job`` must be a module-level function, and its
        argument and result picklable."""
        try:
            return await self._run(job, argument)
        except BrokenProcessPool:
            log.warning("worker process died; starting a new one and running the job again")
            self.close()
            return await self._run(job, argument)

    async def _run(self, job: Callable[[Argument], Result], argument: Argument) -> Result:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), job, argument)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_yield_to_the_service,
                initargs=(self._niceness,),
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker (a job in progress is abandoned; its caller sees an error)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
