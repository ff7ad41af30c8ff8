"""SDL from a file, from a live subgraph over HTTP (a real WSGI GraphQL endpoint through
httpx's WSGI transport) and from Python modules (Strawberry and graphql-core schemas)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import strawberry
from graphql import build_schema, graphql_sync

from router.composition.config import SubgraphConfig
from router.composition.sources import SourceError, load_sdl

SDL = "type Query { hello: String }"
SERVICE_SCHEMA = build_schema("type Query { _service: S } type S { sdl: String }")


def _wsgi(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
    body = json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
    result = graphql_sync(SERVICE_SCHEMA, body["query"], root_value={"_service": {"sdl": SDL}})
    start("200 OK", [("content-type", "application/json")])
    return [json.dumps(result.formatted).encode()]


def test_file(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text(SDL)
    assert load_sdl(SubgraphConfig("a", "http://a", file=tmp_path / "a.graphql")) == SDL
    with pytest.raises(SourceError):
        load_sdl(SubgraphConfig("a", "http://a", file=tmp_path / "missing.graphql"))


def test_live_subgraph_over_injected_client() -> None:
    with httpx.Client(transport=httpx.WSGITransport(app=_wsgi)) as client:
        config = SubgraphConfig("a", "http://a/graphql", subgraph_url="http://a/graphql")
        assert load_sdl(config, client) == SDL


def test_live_subgraph_failure_is_a_source_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(refuse)) as client,
        pytest.raises(SourceError, match="connection refused"),
    ):
        load_sdl(SubgraphConfig("a", "http://a", subgraph_url="http://a"), client)


@strawberry.federation.type(keys=["id"])
class Thing:
    id: strawberry.ID


@strawberry.type
class Query:
    thing: Thing | None = None


def test_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("fake_subgraph_module")
    module.__dict__.update(
        schema=strawberry.federation.Schema(query=Query),
        sdl=SDL,
        core=build_schema("type Query { _service: S } type S { sdl: String }"),
    )
    monkeypatch.setitem(sys.modules, "fake_subgraph_module", module)
    strawberry_sdl = load_sdl(SubgraphConfig("a", "u", module="fake_subgraph_module:schema"))
    assert '@key(fields: "id")' in strawberry_sdl
    assert load_sdl(SubgraphConfig("a", "u", module="fake_subgraph_module:sdl")) == SDL
    with pytest.raises(SourceError, match=r"no data\._service\.sdl"):
        load_sdl(SubgraphConfig("a", "u", module="fake_subgraph_module:core"))
    with pytest.raises(SourceError, match="cannot import"):
        load_sdl(SubgraphConfig("a", "u", module="fake_subgraph_module:absent"))
