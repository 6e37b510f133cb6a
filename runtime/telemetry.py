"""OpenTelemetry set-up, and trace context carried in NATS message headers.

A write injects the W3C ``traceparent`` of the current span into the commit's headers; a
consumer extracts it and runs its handler in a child span. So one trace follows an
application from the citizen's POST through every service to the e-mail.

Nothing secret leaves for the collector: every span passes ``sanitized`` on its way out,
which cuts query strings off URLs and targets (a tracking link's token travels in one) and
replaces the service's own secrets wherever they occur.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON
from opentelemetry.trace import Span, SpanKind

_provider: TracerProvider | None = None


REDACTED = "[redacted]"
_QUERY = re.compile(r"\?[^\s#]*")


def sanitized_value(value: Any, secrets: frozenset[str]) -> Any:
    """An attribute value without query strings and without any of ``secrets``."""
    if isinstance(value, str):
        if "?" in value and (value.startswith(("/", "http://", "https://")) or "://" in value):
            value = _QUERY.sub("", value, count=1)
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, tuple | list):
        return type(value)(sanitized_value(item, secrets) for item in value)
    return value


def sanitized(span: ReadableSpan, secrets: frozenset[str]) -> ReadableSpan:
    """A copy of ``span`` whose attributes (and events' attributes) carry nothing secret."""

    def clean(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
        return {k: sanitized_value(v, secrets) for k, v in (attributes or {}).items()}

    events = [Event(e.name, clean(e.attributes), e.timestamp) for e in span.events]
    return ReadableSpan(
        name=sanitized_value(span.name, secrets),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=clean(span.attributes),
        events=events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class SanitizingExporter(SpanExporter):
    """Hands spans to the real exporter only after ``sanitized``."""

    def __init__(self, inner: SpanExporter, secrets: Iterable[str] = ()) -> None:
        self._inner = inner
        self._secrets = frozenset(s for s in secrets if len(s) >= 8)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export cleaned copies."""
        return self._inner.export([sanitized(span, self._secrets) for span in spans])

    def shutdown(self) -> None:
        """Shut the real exporter down."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the real exporter."""
        return self._inner.force_flush(timeout_millis)


def configure_tracing(service: str, otlp_endpoint: str, secrets: Iterable[str] = ()) -> None:
    """Install a tracer provider; export over OTLP/HTTP where an endpoint is configured.

    ``secrets`` are values that must never reach the collector (the service's own secrets).
    """
    global _provider
    if _provider is not None:
        return
    _provider = tracer_provider(service, otlp_endpoint, secrets)
    trace.set_tracer_provider(_provider)


def tracer_provider(
    service: str, otlp_endpoint: str, secrets: Iterable[str] = ()
) -> TracerProvider:
    """The provider for ``service``: recording spans for the collector, or — without one —
    spans that record nothing but still carry the trace on (``traceparent`` in messages and
    logs): building a span's attributes for nobody was a few per cent of every event's CPU."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"rathaus-{service}"}),
        sampler=ALWAYS_ON if otlp_endpoint else ALWAYS_OFF,
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = SanitizingExporter(
            OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces"), secrets
        )
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500))
    return provider


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
