"""The spec's response key order (CollectFields), used to judge key-order disagreements."""

from __future__ import annotations

import json

from graphql import parse

from router.supergraph import Supergraph
from tests.differential.graphs import SHOP
from tests.differential.order import in_spec_order

SCHEMA = Supergraph.from_sdl(SHOP.supergraph_sdl).api_schema
QUERY = parse(
    'query($s: Boolean! = true) { search(term: "a") { ... on Book { title: stock } ...F '
    "... on Book { dimensions { width } __typename } t1: __typename "
    "... on Movie @skip(if: $s) { id } } }\n"
    "fragment F on Media { __typename }"
)


def test_objects_are_reordered_by_their_runtime_type() -> None:
    apollo = {
        "search": [
            {"title": 0, "dimensions": {"width": 13}, "__typename": "Book", "t1": "Book"},
            {"t1": "Movie", "__typename": "Movie"},
        ]
    }
    expected = {
        "search": [
            {"title": 0, "__typename": "Book", "dimensions": {"width": 13}, "t1": "Book"},
            {"__typename": "Movie", "t1": "Movie"},
        ]
    }
    assert json.dumps(in_spec_order(SCHEMA, QUERY, {}, apollo)) == json.dumps(expected)
    assert json.dumps(in_spec_order(SCHEMA, QUERY, {}, expected)) == json.dumps(expected)


def test_an_included_fragment_takes_its_place() -> None:
    answer = {"search": [{"t1": "Movie", "__typename": "Movie", "id": "m2"}]}
    ordered = in_spec_order(SCHEMA, QUERY, {"s": False}, answer)
    assert list(ordered["search"][0]) == ["__typename", "t1", "id"]
