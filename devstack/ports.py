"""Port choice for the development stack: the usual port, else a stable alternate, else any.

A developer bookmarks ``http://127.0.0.1:8001/docs``; a machine that already runs a NATS or a
PostgreSQL on the usual port should still get the same URL on every start. So a taken port
falls back to the port ``ALTERNATE_OFFSET`` above it (4222 → 14222), and only when that is
taken too to a port the operating system picks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from devstack.embedded import free_port, port_is_free

ALTERNATE_OFFSET = 10000
HIGHEST_PORT = 65535


def candidates(preferred: int) -> list[int]:
    """The ports to try for ``preferred``, in order (the OS-chosen fallback not included)."""
    ports = [preferred]
    alternate = preferred + ALTERNATE_OFFSET
    if alternate <= HIGHEST_PORT:
        ports.append(alternate)
    return ports


def choose_port(
    preferred: int,
    taken: Collection[int] = (),
    is_free: Callable[[int], bool] = port_is_free,
    any_free: Callable[[], int] = free_port,
) -> int:
    """A free port for ``preferred``, never one of ``taken`` (already handed out this run)."""
    for port in candidates(preferred):
        if port not in taken and is_free(port):
            return port
    while True:
        port = any_free()
        if port not in taken:
            return port
