"""Variants of our router side by side in front of the real Node fleet, with the real load
generator (needs node and tools/peers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from bench.config_overhead import AppVariant, measure_config_overhead
from bench.fleets import FLEET_SUPERGRAPH, rewrite_routing_urls, start_node_fleet, write_supergraph
from bench.jwt_issuer import JwtIssuer
from bench.processes import ManagedProcess, ProcessGroup
from bench.request_shapes import apq_get_requests, apq_registration, bearer_headers, post_requests
from bench.router_app import app_from_config
from bench.router_variants import FEATURES_ON
from bench.routers import OURS, LoadSettings
from bench.side_by_side import ComparedPair, LoadTarget, compare_variants
from router.config import RouterConfig
from tests.peers import needs_node

pytestmark = [pytest.mark.node, needs_node]

QUERY = "query Top($first: Int) { topProducts(first: $first) { upc name inStock } }"
VARIABLES = [{"first": 1}, {"first": 2}]


class _Fleet(NamedTuple):
    urls: dict[str, str]
    sdl: str
    router: ManagedProcess
    router_url: str


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Fleet]:
    work = Path(tmp_path_factory.mktemp("variants"))
    with ProcessGroup(work / "logs") as group:
        urls = start_node_fleet(group, 14860)
        sdl = rewrite_routing_urls(FLEET_SUPERGRAPH.read_text(encoding="utf-8"), urls)
        supergraph = write_supergraph(work, "fleet", sdl)
        config = FEATURES_ON.write(work)
        router = OURS.start(group, supergraph, 14866, "variants", config=config)
        yield _Fleet(urls, sdl, router, "http://127.0.0.1:14866/graphql")


def test_the_same_query_by_post_and_as_an_apq_get_side_by_side(fleet: _Fleet) -> None:
    answer = httpx.post(fleet.router_url, json=apq_registration(QUERY, VARIABLES[0]))
    assert answer.status_code == 200 and "errors" not in answer.json()
    targets = (
        LoadTarget("POST", fleet.router_url, fleet.router, tuple(post_requests(QUERY, VARIABLES))),
        LoadTarget(
            "GET", fleet.router_url, fleet.router, tuple(apq_get_requests(QUERY, VARIABLES))
        ),
    )
    settings = LoadSettings(connections=2, duration=1, warmup=1, rounds=2)
    comparison = compare_variants("apq", targets, (ComparedPair("GET", "POST"),), settings)
    assert comparison.skipped == ()
    assert [m.name for m in comparison.measurements] == ["POST", "GET"]
    assert all(m.requests_per_second > 0 and m.errors == 0 for m in comparison.measurements)
    ((ratio, target),) = comparison.ratios
    assert target is None and ratio.variant == "GET" and ratio.throughput is not None


def test_an_apq_get_the_router_has_not_seen_is_not_measured(fleet: _Fleet) -> None:
    unseen = "query Unseen { topProducts(first: 1) { upc } }"
    targets = (LoadTarget("GET", fleet.router_url, fleet.router,
                          tuple(apq_get_requests(unseen, [{}]))),)  # fmt: skip
    settings = LoadSettings(connections=1, duration=1, warmup=1, rounds=1)
    comparison = compare_variants("apq", targets, (), settings)
    assert comparison.measurements == ()
    ((name, reason),) = comparison.skipped
    assert name == "GET" and "PERSISTED_QUERY_NOT_FOUND" in reason


def test_in_process_variants_see_the_wire_time_of_each_subgraph(
    fleet: _Fleet, tmp_path: Path
) -> None:
    issuer = JwtIssuer.generate()
    jwt_config = issuer.jwt_config(issuer.write_jwks(tmp_path / "jwks.json"))
    secured = RouterConfig.model_validate({"authentication": {"jwt": jwt_config}})
    names = {url.split("/")[2]: name for name, url in fleet.urls.items()}
    token = bearer_headers(issuer.token("bench-staff", ("staff",)))
    result = measure_config_overhead(
        "Node fleet",
        (
            AppVariant("off", app_from_config(RouterConfig(), fleet.sdl), {}, names),
            AppVariant("on", app_from_config(secured, fleet.sdl), token, names),
        ),
        [{"query": QUERY, "variables": v} for v in VARIABLES],
        requests=20,
    )
    for timing in result.timings:
        assert timing.subgraph_requests >= 2  # products, then inventory
        assert {"products", "inventory"} <= {name for name, _ in timing.wire_p50_ms_by_subgraph}
        assert timing.total_p50_ms > timing.critical_path_p50_ms > 0
    ((added),) = result.added
    assert added.variant == "on" and {n for n, _ in added.wire_ms_by_subgraph} >= {"products"}
