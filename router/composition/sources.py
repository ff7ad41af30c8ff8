"""Read each subgraph's SDL: from a file, from a live subgraph (``{ _service { sdl } }`` over
an injected ``httpx.Client``), or in-process from a Python module (a Strawberry schema, a
graphql-core schema or an SDL string)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import httpx
from graphql import GraphQLSchema, graphql_sync

from .compose import SubgraphSDL
from .config import SubgraphConfig, SupergraphConfig

__all__ = ["SourceError", "load_sdl", "load_subgraphs"]

SERVICE_QUERY = "{ _service { sdl } }"


class SourceError(RuntimeError):
    """A subgraph's SDL could not be obtained."""

    code = "SUBGRAPH_SDL_UNAVAILABLE"


def _from_file(config: SubgraphConfig, path: Path) -> str:
    try:
        return path.read_text()
    except OSError as problem:
        raise SourceError(f"{config.name}: cannot read {path}: {problem.strerror}") from problem


def _sdl_from_payload(config: SubgraphConfig, where: str, payload: Any) -> str:
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if errors:
        raise SourceError(f"{config.name}: {where} answered errors: {errors}")
    sdl = (((payload or {}).get("data") or {}).get("_service") or {}).get("sdl")
    if not isinstance(sdl, str):
        raise SourceError(f"{config.name}: {where} returned no data._service.sdl")
    return sdl


def _from_url(config: SubgraphConfig, url: str, client: httpx.Client) -> str:
    try:
        response = client.post(url, json={"query": SERVICE_QUERY})
        payload = response.json()
    except (httpx.HTTPError, ValueError) as problem:
        raise SourceError(f"{config.name}: fetching SDL from {url} failed: {problem}") from problem
    return _sdl_from_payload(config, url, payload)


def _from_module(config: SubgraphConfig, reference: str) -> str:
    module_name, _, attribute = reference.partition(":")
    try:
        target: Any = getattr(importlib.import_module(module_name), attribute or "schema")
    except (ImportError, AttributeError) as problem:
        raise SourceError(f"{config.name}: cannot import {reference}: {problem}") from problem
    if isinstance(target, str):
        return target
    if isinstance(target, GraphQLSchema):
        result = graphql_sync(target, SERVICE_QUERY)
        return _sdl_from_payload(config, reference, result.formatted)
    if hasattr(target, "execute_sync"):  # a Strawberry schema
        result = target.execute_sync(SERVICE_QUERY)
        errors = [str(e) for e in result.errors or ()]
        return _sdl_from_payload(config, reference, {"data": result.data, "errors": errors})
    raise SourceError(f"{config.name}: {reference} is neither a schema nor an SDL string")


def load_sdl(config: SubgraphConfig, client: httpx.Client | None = None) -> str:
    if config.file is not None:
        return _from_file(config, config.file)
    if config.subgraph_url is not None:
        if client is None:
            raise SourceError(f"{config.name}: reading {config.subgraph_url} needs an HTTP client")
        return _from_url(config, config.subgraph_url, client)
    assert config.module is not None
    return _from_module(config, config.module)


def load_subgraphs(
    config: SupergraphConfig, client: httpx.Client | None = None
) -> list[SubgraphSDL]:
    """Every subgraph of the config with its SDL (raises :class:`SourceError`)."""
    return [SubgraphSDL(s.name, s.routing_url, load_sdl(s, client)) for s in config.subgraphs]
