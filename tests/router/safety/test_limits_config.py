"""Operation limits from router.yaml (flags win), and warn_only: log, do not refuse."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from router.__main__ import main
from router.limits import OperationLimits
from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest, RequestError
from tests.router.test_graphiql import SUPERGRAPH

DEEP = "{ topProducts { name } }"  # depth 2


def test_warn_only_logs_the_violation_and_prepares_the_operation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refused = Router.from_supergraph_sdl(
        SUPERGRAPH.read_text(encoding="utf-8"), limits=OperationLimits(max_depth=1)
    ).prepare(GraphQLRequest(DEEP))
    with caplog.at_level(logging.WARNING, "router.operation"):
        warned = Router.from_supergraph_sdl(
            SUPERGRAPH.read_text(encoding="utf-8"),
            limits=OperationLimits(max_depth=1, warn_only=True),
        ).prepare(GraphQLRequest(DEEP))
    assert isinstance(refused, RequestError)
    assert refused.errors[0]["extensions"]["code"] == "MAX_DEPTH_LIMIT"
    assert isinstance(warned, PreparedOperation)
    (record,) = caplog.records
    assert "MAX_DEPTH_LIMIT" in record.getMessage()


def test_warn_only_never_lifts_the_token_limit() -> None:
    limits = OperationLimits(max_tokens=5, warn_only=True)
    router = Router.from_supergraph_sdl(SUPERGRAPH.read_text(encoding="utf-8"), limits=limits)
    prepared = router.prepare(GraphQLRequest(DEEP))
    assert isinstance(prepared, RequestError)
    assert prepared.errors[0]["extensions"]["code"] == "MAX_TOKENS_LIMIT"


async def _served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yaml: str, *flags: str
) -> httpx.Response:
    config = tmp_path / "router.yaml"
    config.write_text(
        yaml + "identity_propagation:\n  secret: " + "s" * 32 + "\napi_keys:\n  enabled: false\n",
        encoding="utf-8",
    )
    served: list[Starlette] = []
    monkeypatch.setattr("router.__main__.serve", lambda app, *_a, **_k: served.append(app))
    monkeypatch.setenv("OPS_MODE", "")
    command = [
        "serve",
        "--workers",
        "1",
        "--supergraph",
        str(SUPERGRAPH),
        "--config",
        str(config),
        *flags,
    ]
    assert main(command) == 0
    (app,) = served
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://router") as client,
    ):
        return await client.post("/graphql", json={"query": "{ __typename a: __typename }"})


async def test_router_yaml_sets_the_limits_and_a_flag_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml = "limits:\n  max_aliases: 0\n  max_root_fields: 1\n"
    refused = await _served(tmp_path, monkeypatch, yaml)
    overridden = await _served(tmp_path, monkeypatch, yaml, "--max-root-fields", "0")
    warned = await _served(tmp_path, monkeypatch, yaml + "  warn_only: true\n")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "MAX_ROOT_FIELDS_LIMIT"
    assert overridden.json() == {"data": {"__typename": "Query", "a": "Query"}}
    assert warned.json() == {"data": {"__typename": "Query", "a": "Query"}}
