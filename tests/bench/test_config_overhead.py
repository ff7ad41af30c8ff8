from __future__ import annotations

from pathlib import Path

import pytest

from bench.config_overhead import (
    A_A_SUFFIX,
    AppVariant,
    measure_config_overhead,
    paired_median_ms,
)
from bench.fleets import FLEET_SUPERGRAPH
from bench.jwt_issuer import JwtIssuer
from bench.request_shapes import bearer_headers
from bench.router_app import app_from_config
from router.config import RouterConfig


def test_paired_median_is_the_median_of_the_differences_in_ms() -> None:
    # medians of each side differ by 1 s; the typical pair by 0.002 s
    assert paired_median_ms([1.002, 2.002, 10.0], [1.0, 2.0, 3.0]) == pytest.approx(2.0)


def test_variants_alternate_in_one_process_and_are_compared_to_the_first(tmp_path: Path) -> None:
    issuer = JwtIssuer.generate()
    jwt_config = issuer.jwt_config(issuer.write_jwks(tmp_path / "jwks.json"))
    sdl = FLEET_SUPERGRAPH.read_text(encoding="utf-8")
    secured = RouterConfig.model_validate({"authentication": {"jwt": jwt_config}})
    token = bearer_headers(issuer.token("bench-staff", ("staff",)))
    result = measure_config_overhead(
        "fixture",
        (
            AppVariant("off", app_from_config(RouterConfig(), sdl)),
            AppVariant("on", app_from_config(secured, sdl), token),
            AppVariant("off" + A_A_SUFFIX, app_from_config(RouterConfig(), sdl)),
        ),
        [{"query": "{ __typename }"}],
        requests=20,
    )
    assert [t.name for t in result.timings] == ["off", "on", "off" + A_A_SUFFIX]
    assert [a.variant for a in result.added] == ["on", "off" + A_A_SUFFIX]
    assert result.title == "fixture" and result.target is None
    for timing in result.timings:  # no subgraph is called for __typename
        assert timing.critical_path_p50_ms == 0.0
        assert timing.subgraph_requests == 0 and timing.wire_p50_ms_by_subgraph == ()
        assert timing.overhead_p50_ms == timing.total_p50_ms > 0


def test_a_variant_that_answers_with_errors_stops_the_measurement() -> None:
    sdl = FLEET_SUPERGRAPH.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="HTTP 401"):
        measure_config_overhead(
            "fixture",
            (
                AppVariant("off", app_from_config(RouterConfig(), sdl)),
                AppVariant("bad", app_from_config(RouterConfig(), sdl), bearer_headers("x")),
            ),
            [{"query": "{ __typename }"}],
            requests=10,
        )
