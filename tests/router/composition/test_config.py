from __future__ import annotations

from pathlib import Path

import pytest

from router.composition.config import ConfigError, load_config, parse_config


def test_reads_rovers_format(tmp_path: Path) -> None:
    path = tmp_path / "supergraph.yaml"
    path.write_text("""
federation_version: =2.11.0
subgraphs:
  a:
    routing_url: http://a/graphql
    schema: {file: schemas/a.graphql}
  b:
    schema: {subgraph_url: http://b/graphql}
  c:
    routing_url: http://c/graphql
    schema: {module: "pkg.mod:schema"}
""")
    config = load_config(path)
    a, b, c = config.subgraphs
    assert config.federation_version == "=2.11.0"
    assert a.file == tmp_path / "schemas" / "a.graphql"
    assert (b.routing_url, b.subgraph_url) == ("http://b/graphql", "http://b/graphql")
    assert c.module == "pkg.mod:schema"


@pytest.mark.parametrize(
    "text",
    [
        "subgraphs: {}",
        "not: [valid",
        "subgraphs: {a: {routing_url: http://a}}",
        "subgraphs: {a: {routing_url: http://a, schema: {file: x, module: y}}}",
        "subgraphs: {a: {schema: {file: x}}}",
    ],
)
def test_rejects_bad_configs(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_config(text, Path("."))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")
