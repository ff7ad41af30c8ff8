"""The router's Prometheus metrics (prometheus-client), one registry per app.

Series (``operation`` is bounded: :class:`observability.labels.BoundedLabels`, names of the
trusted-documents manifest plus the first ``max_operation_names`` others, the rest
``(other)``, unnamed operations ``(anonymous)``):

* ``router_requests_total{operation}``, ``router_request_errors_total{operation}`` (HTTP
  status >= 400 or GraphQL errors in the response), ``router_request_duration_seconds{operation}``
* ``router_requests_in_flight``
* ``router_subgraph_requests_total{subgraph}``, ``router_subgraph_request_errors_total{subgraph}``,
  ``router_subgraph_request_duration_seconds{subgraph}`` (one per fetch)
* ``router_plan_cache_hits_total``, ``router_plan_cache_misses_total``
* ``router_subgraph_connections{subgraph,state}`` (``in_use``/``idle``, read at scrape time)
* ``router_rate_limited_total``, ``router_rate_limit_redis_errors_total`` (the rate limiter's)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from observability.labels import BoundedLabels
from router.telemetry.record import RequestRecord

__all__ = [
    "DEFAULT_MAX_OPERATION_NAMES",
    "DURATION_BUCKETS",
    "PROMETHEUS_TEXT",
    "ConnectionsCollector",
    "RouterMetrics",
    "counter_value",
    "series_names",
]

PROMETHEUS_TEXT = CONTENT_TYPE_LATEST
# no ``*_created`` series beside each counter and histogram (half the series, no use here)
disable_created_metrics()  # type: ignore[no-untyped-call]
DEFAULT_MAX_OPERATION_NAMES = 100
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# subgraph name -> (connections in use, idle connections)
PoolUsage = Callable[[], Mapping[str, tuple[int, int]]]


class ConnectionsCollector(Collector):
    """``router_subgraph_connections{subgraph,state}``, read from the pools when scraped."""

    def __init__(self, usage: PoolUsage) -> None:
        self._usage = usage

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "router_subgraph_connections",
            "Connections of the router's subgraph pools, by state (in_use, idle).",
            labels=["subgraph", "state"],
        )
        for subgraph, (in_use, idle) in sorted(self._usage().items()):
            family.add_metric([subgraph, "in_use"], in_use)
            family.add_metric([subgraph, "idle"], idle)
        yield family


class RouterMetrics:
    """The series above in their own registry; :meth:`observe` takes a finished request."""

    def __init__(
        self,
        known_operations: Iterable[str] = (),
        max_operation_names: int = DEFAULT_MAX_OPERATION_NAMES,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.operations = BoundedLabels(known_operations, max_operation_names)
        registry = self.registry
        self.requests = Counter(
            "router_requests", "Client requests, by operation name.", ["operation"],
            registry=registry,
        )  # fmt: skip
        self.errors = Counter(
            "router_request_errors",
            "Client requests answered with an HTTP error or GraphQL errors, by operation name.",
            ["operation"], registry=registry,
        )  # fmt: skip
        self.duration = Histogram(
            "router_request_duration_seconds", "Client request latency, by operation name.",
            ["operation"], buckets=DURATION_BUCKETS, registry=registry,
        )  # fmt: skip
        self.in_flight = Gauge(
            "router_requests_in_flight", "Client requests being answered.", registry=registry
        )
        self.subgraph_requests = Counter(
            "router_subgraph_requests", "Fetches sent to subgraphs.", ["subgraph"],
            registry=registry,
        )  # fmt: skip
        self.subgraph_errors = Counter(
            "router_subgraph_request_errors",
            "Fetches that got no GraphQL response (connection, timeout, invalid body).",
            ["subgraph"], registry=registry,
        )  # fmt: skip
        self.subgraph_duration = Histogram(
            "router_subgraph_request_duration_seconds", "Fetch latency, by subgraph.",
            ["subgraph"], buckets=DURATION_BUCKETS, registry=registry,
        )  # fmt: skip
        self.plan_cache_hits = Counter(
            "router_plan_cache_hits", "Operations whose plan was cached.", registry=registry
        )
        self.plan_cache_misses = Counter(
            "router_plan_cache_misses", "Operations planned (not in the cache).", registry=registry
        )
        self._by_operation: dict[str, tuple[Counter, Counter, Histogram]] = {}
        self._by_subgraph: dict[str, tuple[Counter, Counter, Histogram]] = {}

    def register(self, collectors: Iterable[Collector]) -> None:
        for collector in collectors:
            self.registry.register(collector)

    def observe(self, record: RequestRecord, status: int, seconds: float) -> str:
        """Count a finished request; returns its operation label."""
        label = self.operations.label(record.operation_name)
        children = self._by_operation.get(label)
        if children is None:  # labels() takes a lock: once per label value
            children = self._by_operation[label] = (
                self.requests.labels(label),
                self.errors.labels(label),
                self.duration.labels(label),
            )
        requests, errors, duration = children
        requests.inc()
        duration.observe(seconds)
        if status >= 400 or record.graphql_errors:
            errors.inc()
        if record.plan_cache_hit is not None:
            (self.plan_cache_hits if record.plan_cache_hit else self.plan_cache_misses).inc()
        for fetch in record.fetches:
            sent, failed, latency = self._subgraph(fetch.subgraph)
            sent.inc()
            latency.observe(fetch.seconds)
            if fetch.failed:
                failed.inc()
        return label

    def _subgraph(self, name: str) -> tuple[Counter, Counter, Histogram]:
        children = self._by_subgraph.get(name)
        if children is None:
            children = self._by_subgraph[name] = (
                self.subgraph_requests.labels(name),
                self.subgraph_errors.labels(name),
                self.subgraph_duration.labels(name),
            )
        return children

    def render(self) -> bytes:
        return generate_latest(self.registry)


def series_names(registry: CollectorRegistry) -> Iterator[str]:
    """Every series name ``registry`` can expose, observed yet or not (a counter's
    ``_total``, a histogram's ``_bucket``, ``_sum`` and ``_count``)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    for metric in registry.collect():
        for suffix in suffixes.get(metric.type, ("",)):
            yield metric.name + suffix


def counter_value(counter: Counter) -> float:
    """The current value of an unlabelled counter."""
    for metric in counter.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                return sample.value
    return 0.0
