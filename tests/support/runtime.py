"""Helpers that start the shared runtime against the test run's servers."""

from __future__ import annotations

from contracts.naming import Service
from runtime.service import Runtime
from runtime.settings import ServiceSettings


def settings_for(nats_url: str, namespace: str, database_url: str) -> ServiceSettings:
    """Settings of a service process in the test's namespace."""
    return ServiceSettings(
        environment="test",
        nats_url=nats_url,
        namespace=namespace,
        database_url=database_url,
    )


async def connected_runtime(
    service: Service, nats_url: str, namespace: str, database_url: str
) -> Runtime:
    """A runtime connected to NATS and PostgreSQL, with its stream and buckets in place."""
    runtime = Runtime(service, settings_for(nats_url, namespace, database_url))
    await runtime.connect()
    return runtime
