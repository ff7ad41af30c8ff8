"""The Grafana dashboard only plots series the router and the subgraphs export."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
from prometheus_client import Counter

from models.database import Database, open_database
from router.telemetry.metrics import ConnectionsCollector, RouterMetrics, series_names
from subgraphs.common.telemetry import SubgraphMetrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "ops-platform.json"
# a metric name: not a PromQL function, keyword or label (those are followed by "(" or "=")
_NAME = re.compile(r"\b((?:router|subgraph)_[a-z_]+)\b(?!\s*[(=])")


def _expressions(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["expr"]] if isinstance(node.get("expr"), str) else []
        return found + [e for value in node.values() for e in _expressions(value)]
    if isinstance(node, list):
        return [e for item in node for e in _expressions(item)]
    return []


def _exported(database: Database) -> set[str]:
    router = RouterMetrics()
    router.register([ConnectionsCollector(dict)])
    router.register([Counter("router_rate_limited", "", registry=None),
                     Counter("router_rate_limit_redis_errors", "", registry=None)])  # fmt: skip
    subgraph = SubgraphMetrics("orders", database, [])
    return {*series_names(router.registry), *series_names(subgraph.registry)}


async def test_every_expression_names_exported_series() -> None:
    database = open_database("sqlite+aiosqlite:///:memory:")
    try:
        exported = _exported(database)
    finally:
        await database.dispose()
    expressions = _expressions(orjson.loads(DASHBOARD.read_bytes()))
    assert len(expressions) >= 10
    for expression in expressions:
        names = set(_NAME.findall(expression))
        assert names, expression
        assert names <= exported, (expression, names - exported)


def test_a_misspelt_series_is_caught() -> None:
    assert _NAME.findall("rate(router_requests_totl[5m]) by (subgraph)") == ["router_requests_totl"]
