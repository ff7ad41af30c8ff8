"""OpenTelemetry tracing, off unless configured: then :func:`span` costs one ``None`` test.

:func:`configure_tracing` installs this process's tracer provider (OTLP over HTTP, the
console, or an exporter the caller gives, e.g. an in-memory one in tests); the router reads
its ``router.yaml`` ``telemetry.tracing`` section, the subgraphs the standard ``OTEL_*``
environment variables (:func:`configure_from_environment`). The provider is ours, not the
global one of ``opentelemetry.trace``: what this module does not start is not traced.

W3C trace context (``traceparent``/``tracestate``) crosses process boundaries with
:func:`trace_headers` (the router's subgraph requests) and :func:`extract` (the subgraphs).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = [
    "Exporter",
    "TracingSettings",
    "activate",
    "configure_from_environment",
    "configure_tracing",
    "current_ids",
    "disable_tracing",
    "extract",
    "provider",
    "span",
    "trace_headers",
    "tracing_enabled",
]

Exporter = Literal["otlp", "console", "none"]
_PROPAGATOR = TraceContextTextMapPropagator()
_NOTHING = contextlib.nullcontext()


@dataclass(frozen=True, slots=True)
class TracingSettings:
    service_name: str
    exporter: Exporter = "otlp"
    # OTLP/HTTP traces endpoint (None: OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, else localhost:4318)
    endpoint: str | None = None
    sample_ratio: float = 1.0


class _State:
    provider: TracerProvider | None = None
    tracer: Tracer | None = None


def configure_tracing(
    settings: TracingSettings, exporter: SpanExporter | None = None, *, batch: bool = False
) -> TracerProvider | None:
    """Start tracing for this process (replacing any earlier set-up); ``exporter`` overrides
    ``settings.exporter`` and exports each span as it ends (tests), or in batches in the
    background as the configured exporters do (``batch``). None when ``none``."""
    disable_tracing()
    if exporter is None and settings.exporter == "none":
        return None
    resource = Resource.create({SERVICE_NAME: settings.service_name})
    sampler = ParentBased(TraceIdRatioBased(settings.sample_ratio))
    tracer_provider = TracerProvider(resource=resource, sampler=sampler)
    if exporter is not None and not batch:
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif exporter is not None:
        tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        tracer_provider.add_span_processor(BatchSpanProcessor(_exporter(settings)))
    activate(tracer_provider)
    return tracer_provider


def activate(tracer_provider: TracerProvider | None) -> None:
    """Make ``tracer_provider`` this process's (None: tracing off) without shutting down the
    one it replaces (the bench alternates requests with and without tracing)."""
    _State.provider = tracer_provider
    _State.tracer = tracer_provider.get_tracer("ops-platform") if tracer_provider else None


def _exporter(settings: TracingSettings) -> SpanExporter:
    if settings.exporter == "console":
        return ConsoleSpanExporter(service_name=settings.service_name)
    # imported when asked for: it brings protobuf and requests along
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=settings.endpoint)


def configure_from_environment(
    default_service: str, environ: Mapping[str, str] | None = None
) -> TracerProvider | None:
    """Tracing as the standard variables say: ``OTEL_TRACES_EXPORTER`` (``otlp``,
    ``console``; unset or ``none``: off), ``OTEL_SERVICE_NAME``, ``OTEL_TRACES_SAMPLER_ARG``
    (a ratio) and the OTLP exporter's own ``OTEL_EXPORTER_OTLP_*``."""
    env = os.environ if environ is None else environ
    exporter = env.get("OTEL_TRACES_EXPORTER", "none").strip().lower() or "none"
    if exporter not in ("otlp", "console", "none"):
        raise ValueError(f"OTEL_TRACES_EXPORTER={exporter!r}: expected otlp, console or none")
    settings = TracingSettings(
        env.get("OTEL_SERVICE_NAME") or default_service,
        exporter,  # type: ignore[arg-type]
        sample_ratio=float(env.get("OTEL_TRACES_SAMPLER_ARG") or 1.0),
    )
    return configure_tracing(settings)


def disable_tracing() -> None:
    """Stop tracing; spans already ended are flushed."""
    if _State.provider is not None:
        _State.provider.shutdown()
    _State.provider = None
    _State.tracer = None


def tracing_enabled() -> bool:
    return _State.tracer is not None


def provider() -> TracerProvider | None:
    return _State.provider


def span(
    name: str,
    attributes: Mapping[str, str | int | float | bool] | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: otel_context.Context | None = None,
) -> contextlib.AbstractContextManager[Span | None]:
    """A span made current for the ``with`` block, or nothing at all when tracing is off."""
    tracer = _State.tracer
    if tracer is None:
        return _NOTHING
    return tracer.start_as_current_span(name, parent, kind, attributes)


def trace_headers() -> Iterator[tuple[str, str]]:
    """``traceparent`` (and ``tracestate``) of the current span; nothing when off."""
    if _State.tracer is None:
        return iter(())
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return iter(carrier.items())


def extract(headers: Iterable[tuple[bytes, bytes]]) -> otel_context.Context | None:
    """The remote parent named by ASGI ``headers`` (None when tracing is off or none)."""
    if _State.tracer is None:
        return None
    carrier = {}
    for name, value in headers:
        if name in (b"traceparent", b"tracestate"):
            carrier[name.decode("latin-1")] = value.decode("latin-1")
    return _PROPAGATOR.extract(carrier) if carrier else None


def current_ids() -> tuple[str, str] | None:
    """The hex trace and span ids of the current span, if one is recording."""
    if _State.tracer is None:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
