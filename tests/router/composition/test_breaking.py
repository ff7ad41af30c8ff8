from __future__ import annotations

from router.composition.breaking import api_changes
from router.composition.compose import SubgraphSDL, compose

HEADER = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


def _supergraph(sdl: str) -> str:
    result = compose([SubgraphSDL("a", "http://a", HEADER + sdl)])
    assert result.supergraph_sdl is not None, result.errors
    return result.supergraph_sdl


def test_removed_field_changed_type_and_nullability_are_breaking() -> None:
    old = _supergraph("type Query { a: Int! b: String c: Int d(x: Int): Int }")
    new = _supergraph("type Query { b: Int c: Int d(x: Int!): Int e: Int }")
    changes = {c.kind for c in api_changes(old, new) if c.breaking}
    assert changes == {"FIELD_REMOVED", "FIELD_CHANGED_KIND", "ARG_CHANGED_KIND"}


def test_join_directive_changes_alone_are_not_api_changes() -> None:
    old = _supergraph("type Query { a: Int }")
    result = compose([SubgraphSDL("a", "http://moved", HEADER + "type Query { a: Int }")])
    assert result.supergraph_sdl is not None and result.supergraph_sdl != old
    assert api_changes(old, result.supergraph_sdl) == []
