"""OpenTelemetry set-up, and trace context carried in NATS message headers.

A write injects the W3C ``traceparent`` of the current span into the commit's headers; a
consumer extracts it and runs its handler in a child span. So one trace follows an
application from the citizen's POST through every service to the e-mail.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind

_provider: TracerProvider | None = None


def configure_tracing(service: str, otlp_endpoint: str) -> None:
    """Install a tracer provider; export over OTLP/HTTP where an endpoint is configured."""
    global _provider
    if _provider is not None:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"rathaus-{service}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500))
    trace.set_tracer_provider(provider)
    _provider = provider


def shutdown_tracing() -> None:
    """Flush and stop span export (on process exit)."""
    if _provider is not None:
        _provider.shutdown()


@cache
def tracer() -> trace.Tracer:
    """The tracer of the RathausCloud runtime.

    Made once: ``get_tracer`` builds a new tracer on every call, a cost on each event. Made
    before tracing is set up, it is a proxy that turns to the real provider once there is one.
    """
    return trace.get_tracer("rathauscloud")


def inject_headers(headers: dict[str, str]) -> dict[str, str]:
    """Add the current trace context to message headers (in place) and return them."""
    propagate.inject(headers)
    return headers


@contextmanager
def consuming_span(name: str, headers: Mapping[str, str] | None) -> Iterator[Span]:
    """Run a consumer's work in a span that continues the producer's trace."""
    parent = propagate.extract(dict(headers or {}))
    token = otel_context.attach(parent)
    try:
        with tracer().start_as_current_span(name, kind=SpanKind.CONSUMER) as span:
            yield span
    finally:
        otel_context.detach(token)


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, if any."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")
