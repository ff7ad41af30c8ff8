"""The generator: valid queries, reproducible, and covering the shapes it promises."""

from __future__ import annotations

import pytest
from graphql import parse, validate

from router.supergraph import Supergraph
from tests.differential.generate import generate, generate_many
from tests.differential.graphs import FLEET, PROJECT, SHOP, FixtureGraph

GRAPHS = {graph.name: graph for graph in (FLEET, SHOP, PROJECT)}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_queries_are_valid_and_reproducible(name: str) -> None:
    graph: FixtureGraph = GRAPHS[name]
    schema = Supergraph.from_sdl(graph.supergraph_sdl).api_schema
    queries = generate_many(schema, graph.arguments, "unit", 200)
    for query in queries:
        assert not validate(schema, parse(query.text)), query.text
    assert generate(schema, graph.arguments, "unit", 123) == queries[123]
    assert len({query.text for query in queries}) > 190


def test_the_shop_queries_cover_every_feature() -> None:
    schema = Supergraph.from_sdl(SHOP.supergraph_sdl).api_schema
    texts = [q.text for q in generate_many(schema, SHOP.arguments, "unit", 200)]
    for marker in (
        "... on Book",
        "...F1",
        "fragment F1 on",
        "@skip(if: $",
        "@include(if: true",
        "__typename",
        "search(term: $",
        "title: id",
        "query Q",
    ):
        assert any(marker in text for text in texts), marker


def test_a_required_argument_without_known_values_leaves_the_field_out() -> None:
    schema = Supergraph.from_sdl(SHOP.supergraph_sdl).api_schema
    texts = [q.text for q in generate_many(schema, {}, "unit", 200)]
    assert not any("search(" in text or "author(" in text for text in texts)
    assert any("media" in text for text in texts)
