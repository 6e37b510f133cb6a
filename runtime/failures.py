"""Which exceptions mean "a server we depend on is unreachable", not "this request is wrong".

A service stands on NATS JetStream and PostgreSQL. When either is down, restarting, or too
slow to answer, the same operation will succeed once it is back: an HTTP request should be
answered with 503 and ``Retry-After`` (``runtime.http``), a projection batch should be retried
rather than dead-lettered. Everything else (a bug, bad data) is not in this tuple and must
not be treated as transient, or a broken event would be retried forever and a programming
error would hide behind "try again later".

Two PostgreSQL errors are not outages but belong here all the same: a deadlock and a
serialization failure abort a transaction that will succeed when run again, which is exactly
what both callers do (a projection retries its batch; a client retries after the 503).
"""

from __future__ import annotations

import asyncpg
import nats.errors
from nats.js.errors import ServiceUnavailableError

INFRASTRUCTURE_ERRORS: tuple[type[Exception], ...] = (
    # The network itself: refused, reset, timed out (asyncio.TimeoutError is TimeoutError,
    # and nats.errors.TimeoutError, FlushTimeoutError and DrainTimeoutError derive from it).
    ConnectionError,
    TimeoutError,
    # NATS: the connection is closed, reconnecting, draining or has no server to talk to;
    # a request found no responder (JetStream not up yet); publishes piled up while
    # disconnected beyond the client's buffer; JetStream answered 503 (no quorum, no leader).
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.ConnectionDrainingError,
    nats.errors.NoServersError,
    nats.errors.StaleConnectionError,
    nats.errors.NoRespondersError,
    nats.errors.OutboundBufferLimitError,
    ServiceUnavailableError,
    # PostgreSQL: the connection broke or could not be made (PostgresConnectionError covers
    # ConnectionDoesNotExistError and ConnectionFailureError), the server refuses
    # connections while starting or shutting down, or has no connection slot left.
    # asyncpg raises InterfaceError for a connection or pool that was closed under it.
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    # A pooled connection the server dropped in the middle of a statement can be left in a
    # protocol state asyncpg refuses to leave ("cannot switch to state …"); the pool replaces
    # it on release. Seen when PostgreSQL is killed under load (tests/e2e/test_chaos.py).
    asyncpg.InternalClientError,
    # PostgreSQL aborted the transaction for contention: running it again succeeds.
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.SerializationError,
)
"""Failures of the surroundings, not of the request or the event: retry later, never 500."""
