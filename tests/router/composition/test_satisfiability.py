from __future__ import annotations

from router.composition.compose import SubgraphSDL, compose

HEADER = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


def _codes(**subgraphs: str) -> list[str]:
    result = compose([SubgraphSDL(n, f"http://{n}", HEADER + s) for n, s in subgraphs.items()])
    return [e.code for e in result.errors]


def test_fields_reachable_through_a_chain_of_keys() -> None:
    assert (
        _codes(
            a='type Query { t: T } type T @key(fields: "id") { id: ID! }',
            b='type T @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! }',
            c='type T @key(fields: "sku") { sku: String! price: Int }',
        )
        == []
    )


def test_key_whose_fields_the_current_subgraph_lacks_is_not_a_path() -> None:
    assert _codes(
        a='type Query { t: T } type T @key(fields: "id") { id: ID! }',
        c='type T @key(fields: "sku") { sku: String! price: Int }',
    ) == ["SATISFIABILITY_ERROR", "SATISFIABILITY_ERROR"]
