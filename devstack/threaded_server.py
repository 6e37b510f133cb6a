"""An ASGI app served by uvicorn in a thread of this process — the local stand-ins of
outside systems (the payment provider, the state archive) that tests and the development
stack start beside the suite."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn


class ThreadedServer:
    """One app on one port, in a daemon thread."""

    def __init__(self, app: Any, host: str, port: int, name: str) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)
        self._name = name

    def start(self, timeout: float = 10.0) -> ThreadedServer:
        """Serve; returns once it accepts requests."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the {self._name} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
