"""Documents rendered in a worker process that yields to the service.

Laying out a letter or a notice as PDF is pure CPU — tens of milliseconds of fpdf2 and
fontTools. In a thread of the service it holds the GIL that the service's event handling needs:
billing assessed fees and casework decided cases only between a render's time slices, and the
skeleton's POST → filed latency quadrupled. A worker process has its own interpreter, and runs
at a lower priority, so the work a citizen waits for goes first and documents take the CPU that
is left. The pool is made at the first render (a service that renders nothing starts none) and
made again if its worker died (killed, out of memory); a document is never lost to that, the
render is retried once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import structlog

log = structlog.get_logger(__name__)

Document = TypeVar("Document")

NICENESS = 10
"""How much a worker yields: at 10, it gets about a tenth of a core the service wants."""

ORPHAN_CHECK_SECONDS = 1.0


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


class Renderer:
    """Renders documents in worker processes; ``await renderer(render, document)``."""

    def __init__(self, workers: int = 1, niceness: int = NICENESS) -> None:
        self._workers = workers
        self._niceness = niceness
        self._pool: ProcessPoolExecutor | None = None

    async def __call__(self, render: Callable[[Document], bytes], document: Document) -> bytes:
        """``render(document)`` in a worker; ``render`` must be a module-level function."""
        try:
            return await self._run(render, document)
        except BrokenProcessPool:
            log.warning("document worker died; starting a new one and rendering again")
            self.close()
            return await self._run(render, document)

    async def _run(self, render: Callable[[Document], bytes], document: Document) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), render, document)

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
        """Stop the workers (a render in progress is abandoned; its caller sees an error)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
