"""What telemetry costs per request, in-process (:mod:`bench.config_overhead`): the same
router app without its telemetry middleware (as before issue 14), with the default telemetry
(metrics, request id, access-log line; tracing off) and with tracing on too (every request
sampled, spans batched to an exporter that drops them: the SDK's whole cost but the network).

Tracing is process-wide (:mod:`observability.tracing`), so each variant turns it on or off
before its requests (``AppVariant.before``). The subgraphs are the project fleet's processes
(without tracing): what tracing adds in a subgraph shows in its wire time, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from starlette.applications import Starlette
from starlette.routing import Route

from bench.config_overhead import (
    A_A_SUFFIX,
    AddedTarget,
    AppVariant,
    ConfigOverheadResult,
    measure_config_overhead,
)
from bench.databases import sqlalchemy_url
from bench.feature_stages import CostResult, FeatureWorkload
from bench.fleets import project_supergraph, start_project_subgraphs
from bench.peer_supergraph import without_access_control
from bench.processes import ProcessGroup
from bench.router_app import app_from_config
from bench.router_variants import FEATURES_OFF, IDENTITY_SECRET_ENV
from observability.tracing import TracingSettings, activate, configure_tracing, disable_tracing
from router.config import parse_config
from router.server import GRAPHQL_PATH
from router.supergraph import Supergraph
from router.telemetry.middleware import TelemetryMiddleware

__all__ = ["TELEMETRY_COST_IN_PROCESS_TARGET", "telemetry_cost", "without_telemetry"]

# issue 14: tracing + metrics cost < 10% throughput; in-process, one request at a time, the
# router's added time must stay under 10% of the end-to-end p50
TELEMETRY_COST_IN_PROCESS_TARGET = AddedTarget("p50 within 10%", max_added_fraction=0.10)
_TELEMETRY_FLEET_PORT = 14830  # the bench's range (14700-14899); 14830-14834
# subgraphs without the identity secret, whatever the bench's own environment says
_OPEN_ENVIRONMENT = {IDENTITY_SECRET_ENV: "", "OPS_MODE": ""}

TELEMETRY_OFF = "telemetry off (no middleware)"
METRICS_ON = "metrics + access log (default)"
TRACING_ON = "tracing + metrics on"


class DroppingExporter(SpanExporter):
    """Takes every batch and keeps nothing."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def without_telemetry(app: Starlette) -> Starlette:
    """``app`` with ``/graphql`` served by what its telemetry middleware wraps."""
    for route in app.routes:
        if not isinstance(route, Route) or route.path != GRAPHQL_PATH:
            continue
        if isinstance(route.app, TelemetryMiddleware):
            route.app = route.app.app
    return app


def _in_process(workload: FeatureWorkload, sdl: str, requests: int) -> ConfigOverheadResult:
    names = {urlsplit(s.url).netloc: name for name, s in Supergraph.from_sdl(sdl).subgraphs.items()}
    provider = configure_tracing(TracingSettings("bench-router"), DroppingExporter(), batch=True)
    activate(None)

    def tracing_off() -> None:
        activate(None)

    def tracing_on() -> None:
        activate(provider)

    def app() -> Starlette:
        return app_from_config(parse_config(FEATURES_OFF.yaml_text(), environ={}), sdl)

    try:
        return measure_config_overhead(
            f"telemetry cost: customer-360, project fleet ({workload.scale.label} orders)",
            (
                AppVariant(TELEMETRY_OFF, without_telemetry(app()), {}, names, tracing_off),
                AppVariant(METRICS_ON, app(), {}, names, tracing_off),
                AppVariant(TRACING_ON, app(), {}, names, tracing_on),
                AppVariant(
                    TELEMETRY_OFF + A_A_SUFFIX, without_telemetry(app()), {}, names, tracing_off
                ),
            ),
            [{"query": workload.query, "variables": v} for v in workload.variables],
            requests=requests,
            target=TELEMETRY_COST_IN_PROCESS_TARGET,
        )
    finally:
        disable_tracing()


def telemetry_cost(
    workload: FeatureWorkload, work_dir: Path, *, in_process_requests: int = 300
) -> CostResult:
    """Issue 14: telemetry off / metrics / tracing + metrics, in-process over the fleet."""
    with ProcessGroup(work_dir / "logs") as group:
        database = sqlalchemy_url(workload.scale.database)
        fleet = start_project_subgraphs(
            group, _TELEMETRY_FLEET_PORT, database, "telemetry-fleet", env=_OPEN_ENVIRONMENT
        )
        # Without the access directives, as the feature stage's open side: the router would
        # answer an anonymous customer-360 with UNAUTHORIZED_FIELD_OR_TYPE and measure nothing.
        sdl = without_access_control(project_supergraph(fleet.urls))
        try:
            result = _in_process(workload, sdl, in_process_requests)
        except (ValueError, RuntimeError, OSError) as error:
            return CostResult(None, None, (f"telemetry cost failed: {str(error)[:400]}",))
    return CostResult(result, None, ())
