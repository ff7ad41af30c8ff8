from __future__ import annotations

import pytest
from graphql import build_ast_schema, parse

from bench.fleets import FLEET_SUPERGRAPH, rewrite_routing_urls

URLS = {
    "accounts": "http://127.0.0.1:14801/graphql",
    "products": "http://127.0.0.1:14802/graphql",
    "inventory": "http://127.0.0.1:14803/graphql",
    "reviews": "http://127.0.0.1:14804/graphql",
}


def test_rewrites_every_routing_url_and_keeps_the_schema() -> None:
    original = FLEET_SUPERGRAPH.read_text()
    rewritten = rewrite_routing_urls(original, URLS)
    for name, url in URLS.items():
        assert f'@join__graph(name: "{name}", url: "{url}")' in rewritten
    assert "127.0.0.1:4001" not in rewritten
    before, after = build_ast_schema(parse(original)), build_ast_schema(parse(rewritten))
    assert sorted(before.type_map) == sorted(after.type_map)


def test_rewrites_only_the_named_subgraphs() -> None:
    rewritten = rewrite_routing_urls(FLEET_SUPERGRAPH.read_text(), {"reviews": URLS["reviews"]})
    assert URLS["reviews"] in rewritten
    assert 'url: "http://127.0.0.1:4001/graphql"' in rewritten


def test_unknown_subgraph_is_an_error() -> None:
    with pytest.raises(ValueError, match="shipping"):
        rewrite_routing_urls(FLEET_SUPERGRAPH.read_text(), {"shipping": "http://127.0.0.1:1/"})
