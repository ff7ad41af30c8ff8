"""Query batching (off by default, bounded) and production mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from router.__main__ import main
from router.batching import BatchingConfig
from router.config import ConfigError, parse_config
from router.persisted_queries import sha256_hex
from router.server import create_app
from tests.router.safety.support import QUERY, persisted
from tests.router.test_graphiql import SUPERGRAPH, fleet_router


@asynccontextmanager
async def client_of(**options: object) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(fleet_router(), **options)  # type: ignore[arg-type]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://router") as client,
    ):
        yield client


async def test_a_batch_is_refused_while_batching_is_off() -> None:
    async with client_of() as client:
        response = await client.post("/graphql", json=[{"query": QUERY}])
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCHING_NOT_ENABLED"


async def test_a_batch_answers_each_operation_in_order() -> None:
    batching = BatchingConfig(enabled=True, max_size=5)
    unknown = sha256_hex("{ nothing }")
    async with client_of(batching=batching) as client:
        single = await client.post("/graphql", json={"query": QUERY})
        response = await client.post(
            "/graphql",
            json=[
                {"query": QUERY},
                {"query": "{ topProducts { nope } }"},
                {"extensions": persisted(unknown)},
                "not an object",
                {"query": "{ __typename }"},
            ],
        )
    assert response.status_code == 200
    first, invalid, not_found, bad, typename = response.json()
    assert first == single.json()
    assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert not_found["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert typename == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("body", "code"),
    [([{"query": QUERY}] * 3, "BATCH_LIMIT_EXCEEDED"), ([], "BAD_REQUEST")],
)
async def test_an_oversized_or_empty_batch_is_refused(body: list[object], code: str) -> None:
    async with client_of(batching=BatchingConfig(enabled=True, max_size=2)) as client:
        response = await client.post("/graphql", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_introspection_can_be_turned_off_but_typename_still_works() -> None:
    async with client_of(introspection=False) as client:
        schema = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        typed = await client.post("/graphql", json={"query": '{ __type(name: "Query") { name } }'})
        typename = await client.post("/graphql", json={"query": "{ __typename }"})
    for response in (schema, typed):
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert typename.json() == {"data": {"__typename": "Query"}}


def test_production_mode_turns_off_graphiql_introspection_and_plans_unless_enabled() -> None:
    development = parse_config("")
    production = parse_config("mode: production\n")
    chosen = parse_config("mode: production\nintrospection:\n  enabled: true\n")
    assert all(development.enables(t) for t in (development.graphiql, development.introspection))
    toggles = (production.graphiql, production.introspection, production.query_plans)
    assert not any(production.enables(toggle) for toggle in toggles)
    assert chosen.enables(chosen.introspection) and not chosen.enables(chosen.graphiql)
    with pytest.raises(ConfigError, match="mode"):
        parse_config("mode: staging\n")


async def test_serve_wires_the_safety_sections_of_router_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m router serve --config``: production mode, batching and CSRF as configured
    (the subgraphs are not reached: every answer here is the router's own)."""
    config = tmp_path / "router.yaml"
    config.write_text(
        "mode: production\nbatching:\n  enabled: true\n  max_size: 2\n"
        "identity_propagation:\n  secret: " + "s" * 32 + "\napi_keys:\n  enabled: false\n",
        encoding="utf-8",
    )
    served: list[Starlette] = []
    monkeypatch.setattr("router.__main__.serve", lambda app, *_a, **_k: served.append(app))
    monkeypatch.setenv("OPS_MODE", "")
    assert (
        main(["serve", "--workers", "1", "--supergraph", str(SUPERGRAPH), "--config", str(config)])
        == 0
    )
    (app,) = served
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://router") as client,
    ):
        page = await client.get("/graphql", headers={"accept": "text/html"})
        csrf = await client.get("/graphql", params={"query": "{ __typename }"})
        introspection = await client.post(
            "/graphql", json={"query": "{ __schema { queryType { name } } }"}
        )
        batch = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert page.status_code == 406  # no GraphiQL in production
    assert csrf.json()["errors"][0]["extensions"]["code"] == "CSRF_ERROR"
    assert introspection.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert batch.json() == [{"data": {"__typename": "Query"}}] * 2
