"""``supergraph.yaml`` (Apollo Rover's format): which subgraphs to compose and where they live.

federation_version: =2.11.0          # accepted, informational
subgraphs:
  NAME:
    routing_url: http://127.0.0.1:4001/graphql
    schema:
      file: path/to/schema.graphql    # relative to the config file
      # or subgraph_url: http://127.0.0.1:4001/graphql   (introspects `_service { sdl }`)
      # or module: package.module:attribute             (a Strawberry schema or an SDL str)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ConfigError", "SubgraphConfig", "SupergraphConfig", "load_config", "parse_config"]

_SOURCES = ("file", "subgraph_url", "module")


class ConfigError(ValueError):
    """The config file is missing, is not YAML, or does not describe subgraphs."""

    code = "INVALID_SUPERGRAPH_CONFIG"


@dataclass(frozen=True, slots=True)
class SubgraphConfig:
    """One subgraph: its routing URL and exactly one place to read its SDL from."""

    name: str
    routing_url: str
    file: Path | None = None
    subgraph_url: str | None = None
    module: str | None = None


@dataclass(frozen=True, slots=True)
class SupergraphConfig:
    subgraphs: tuple[SubgraphConfig, ...]
    federation_version: str | None = None


def _subgraph(name: str, raw: Any, base: Path) -> SubgraphConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError(f'subgraph "{name}" must be a mapping')
    schema = raw.get("schema")
    if not isinstance(schema, Mapping):
        raise ConfigError(f'subgraph "{name}" needs a "schema" mapping')
    given = [key for key in _SOURCES if schema.get(key)]
    if len(given) != 1:
        raise ConfigError(
            f'subgraph "{name}" schema needs exactly one of {", ".join(_SOURCES)} (got {given})'
        )
    subgraph_url = schema.get("subgraph_url")
    routing_url = raw.get("routing_url") or subgraph_url
    if not isinstance(routing_url, str):
        raise ConfigError(f'subgraph "{name}" needs a routing_url')
    file = schema.get("file")
    return SubgraphConfig(
        name=name,
        routing_url=routing_url,
        file=(base / str(file)) if file else None,
        subgraph_url=str(subgraph_url) if subgraph_url else None,
        module=str(schema["module"]) if schema.get("module") else None,
    )


def parse_config(text: str, base: Path) -> SupergraphConfig:
    """Parse config text; relative ``file`` paths resolve against ``base``."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise ConfigError(f"not valid YAML: {problem}") from problem
    subgraphs = raw.get("subgraphs") if isinstance(raw, Mapping) else None
    if not isinstance(subgraphs, Mapping) or not subgraphs:
        raise ConfigError('the config needs a non-empty "subgraphs" mapping')
    version = raw.get("federation_version")
    return SupergraphConfig(
        subgraphs=tuple(_subgraph(str(n), v, base) for n, v in subgraphs.items()),
        federation_version=str(version) if version is not None else None,
    )


def load_config(path: Path) -> SupergraphConfig:
    try:
        text = path.read_text()
    except OSError as problem:
        raise ConfigError(f"cannot read {path}: {problem.strerror}") from problem
    return parse_config(text, path.parent)
