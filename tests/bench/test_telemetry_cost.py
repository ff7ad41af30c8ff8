from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult

from bench.config_overhead import AppVariant, measure_config_overhead
from bench.fleets import FLEET_SUPERGRAPH
from bench.router_app import app_from_config
from bench.stages import STAGES
from bench.telemetry_cost import DroppingExporter, without_telemetry
from observability.tracing import TracingSettings, activate, configure_tracing, disable_tracing
from router.config import RouterConfig
from router.telemetry.middleware import TelemetryMiddleware


class _Counting(DroppingExporter):
    def __init__(self) -> None:
        self.roots = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.roots += sum(1 for span in spans if span.name == "router.request")
        return SpanExportResult.SUCCESS


def test_only_the_traced_variant_is_traced_and_the_off_one_has_no_middleware() -> None:
    sdl = FLEET_SUPERGRAPH.read_text(encoding="utf-8")
    exporter = _Counting()
    provider = configure_tracing(TracingSettings("test"), exporter)
    activate(None)
    off = without_telemetry(app_from_config(RouterConfig(), sdl))
    graphql = next(r for r in off.routes if getattr(r, "path", None) == "/graphql")
    assert not isinstance(getattr(graphql, "app", None), TelemetryMiddleware)
    try:
        result = measure_config_overhead(
            "fixture",
            (
                AppVariant("off", off, before=lambda: activate(None)),
                AppVariant(
                    "traced",
                    app_from_config(RouterConfig(), sdl),
                    before=lambda: activate(provider),
                ),
            ),
            [{"query": "{ __typename }"}],
            requests=20,
        )
    finally:
        disable_tracing()
    assert [t.name for t in result.timings] == ["off", "traced"]
    assert exporter.roots == 22  # the traced variant's 20 requests and 2 of warm-up
    assert "telemetry-cost" in STAGES
