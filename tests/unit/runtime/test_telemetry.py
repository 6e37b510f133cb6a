"""Spans leave without query strings and without the service's secrets."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from runtime.telemetry import REDACTED, SanitizingExporter, sanitized_value, tracer_provider

SECRET = "s3cr3t-tracking-key-never-export"


def test_query_strings_are_cut_from_urls_and_targets() -> None:
    assert sanitized_value("/antraege/1?token=abc", frozenset()) == "/antraege/1"
    assert sanitized_value("http://h:1/api?token=abc#x", frozenset()) == "http://h:1/api#x"
    assert sanitized_value("what? nothing", frozenset()) == "what? nothing"
    assert sanitized_value(("/a?b=c", 3), frozenset()) == ("/a", 3)


def test_a_span_is_exported_clean() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SanitizingExporter(memory, [SECRET])))
    with provider.get_tracer("t").start_as_current_span("GET /x") as span:
        span.set_attribute("http.url", "http://intake/antraege/1?token=abcdef")
        span.set_attribute("note", f"key {SECRET} leaked")
        span.add_event("error", {"message": f"bad {SECRET}"})
    [exported] = memory.get_finished_spans()
    assert exported.attributes == {
        "http.url": "http://intake/antraege/1",
        "note": f"key {REDACTED} leaked",
    }
    assert exported.events[0].attributes == {"message": f"bad {REDACTED}"}


def test_without_a_collector_spans_record_nothing_but_carry_the_trace_on() -> None:
    upstream = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    parent = propagate.extract({"traceparent": upstream})
    quiet = tracer_provider("intake", "")
    with quiet.get_tracer("t").start_as_current_span("handle", context=parent) as span:
        assert not span.is_recording()
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
    assert carrier["traceparent"].split("-")[1] == upstream.split("-")[1]

    exporting = tracer_provider("intake", "http://127.0.0.1:9")
    try:
        # Not ended, so nothing is sent to the collector that is not there.
        assert exporting.get_tracer("t").start_span("handle", context=parent).is_recording()
    finally:
        exporting.shutdown()
