from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from bench.fleets import FLEET_SUPERGRAPH
from bench.jwt_issuer import JwtIssuer
from bench.request_shapes import bearer_headers
from bench.router_app import (
    WIRED_SECTIONS,
    AppResponse,
    app_from_config,
    post_graphql,
    running,
    unwired_sections,
)
from router.config import RouterConfig

TYPENAME = orjson.dumps({"query": "{ __typename }"})


def _served(config: RouterConfig, headers: dict[str, str] | None = None) -> AppResponse:
    async def call() -> AppResponse:
        app = app_from_config(config, FLEET_SUPERGRAPH.read_text(encoding="utf-8"))
        async with running(app):
            return await post_graphql(app, TYPENAME, headers)

    return asyncio.run(call())


def test_the_app_answers_a_post_in_process() -> None:
    assert _served(RouterConfig()) == AppResponse(200, b'{"data":{"__typename":"Query"}}')


def test_the_configured_security_runs_in_front(tmp_path: Path) -> None:
    issuer = JwtIssuer.generate()
    jwt_config = issuer.jwt_config(issuer.write_jwks(tmp_path / "jwks.json"))
    config = RouterConfig.model_validate({"authentication": {"jwt": jwt_config}})
    good = _served(config, bearer_headers(issuer.token("bench-staff", ("staff",))))
    assert good.status == 200
    forged = _served(config, bearer_headers(JwtIssuer.generate().token("x", ("staff",))))
    assert forged.status == 401 and b"UNAUTHENTICATED" in forged.body


def test_the_configured_limits_apply() -> None:
    config = RouterConfig.model_validate({"limits": {"max_depth": 1}})
    deep = orjson.dumps({"query": "{ __schema { types { name } } }"})

    async def call() -> AppResponse:
        app = app_from_config(config, FLEET_SUPERGRAPH.read_text(encoding="utf-8"))
        async with running(app):
            return await post_graphql(app, deep)

    refused = asyncio.run(call())
    assert refused.status == 400 and b"MAX_DEPTH" in refused.body.upper()


def test_every_section_of_today_s_router_is_wired() -> None:
    assert set(RouterConfig.model_fields) <= WIRED_SECTIONS


def test_a_section_it_does_not_wire_is_refused_not_left_out() -> None:
    config = RouterConfig.model_validate({"apq": {"enabled": False}, "csrf": {"enabled": True}})
    assert unwired_sections(config, frozenset({"apq"})) == ["csrf"]
    assert unwired_sections(config) == []
