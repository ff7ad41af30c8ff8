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


SHARED_CONFIG = """
type {root} {{ save: Config @shareable }}
type Config @shareable {{ {field}: Int }}
"""
SHAREABLE = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
    ' import: ["@key", "@shareable"])\n'
)


def _compose(**subgraphs: str) -> list[str]:
    result = compose([SubgraphSDL(n, f"http://{n}", SHAREABLE + s) for n, s in subgraphs.items()])
    return [str(e) for e in result.errors]


def test_a_shared_query_field_may_be_completed_from_both_subgraphs() -> None:
    assert (
        _compose(
            a=SHARED_CONFIG.format(root="Query", field="a"),
            b=SHARED_CONFIG.format(root="Query", field="b"),
        )
        == []
    )


def test_a_shared_mutation_field_must_be_completed_from_one_subgraph() -> None:
    errors = _compose(
        a="type Query { v: Int }" + SHARED_CONFIG.format(root="Mutation", field="a"),
        b=SHARED_CONFIG.format(root="Mutation", field="b"),
    )
    assert len(errors) == 1
    assert errors[0].startswith(
        'SATISFIABILITY_ERROR: Supergraph API queries using the mutation field "Mutation.save"'
    )
    assert '- When calling "Mutation.save" at top-level from subgraph "a":' in errors[0]
    assert "  mutation {\n    save {\n      b\n    }\n  }" in errors[0]


def test_a_provided_field_is_resolvable_only_below_the_providing_field() -> None:
    provider = """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",
          import: ["@key", "@external", "@provides"])
        type Query {{ review: Review {other} }}
        type Review {{ author: User @provides(fields: "name") }}
        type User @key(fields: "id", resolvable: false) {{ id: ID! name: String @external }}
    """
    owner = """
        type Query { me: User }
        type User @key(fields: "id", resolvable: false) {
          id: ID! @shareable
          name: String @shareable
        }
    """
    alone = provider.format(other="")
    assert _codes_of(provider=alone, owner=owner) == []
    with_other_path = provider.format(other="user: User")
    assert _codes_of(provider=with_other_path, owner=owner) == ["SATISFIABILITY_ERROR"]


def _codes_of(**subgraphs: str) -> list[str]:
    result = compose(
        [
            SubgraphSDL(n, f"http://{n}", s if "@link" in s else SHAREABLE + s)
            for n, s in subgraphs.items()
        ]
    )
    return [e.code for e in result.errors]
