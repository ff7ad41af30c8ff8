"""One response key with two types in one subgraph query (``User.id: ID!`` and ``Admin.id:
ID`` side by side) fails the subgraph's validation (FieldsInSetCanMerge): the later field is
fetched under an alias (``id__alias_0``, as Apollo Gateway does) and the fetch renames it back
in the response. Each test records Apollo Gateway's plan for the same supergraph."""

from __future__ import annotations

from router.plan import Fetch, OutputRewrite
from tests.router.planning.support import compose_supergraph, fetch_count, plan, plan_for

_HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable"])\n'
)

# User.id is ID! in a and ID in b, so ID in the supergraph, like Admin.id.
NODES = {
    "a": _HEADER
    + """
type Query { node: Node }
interface Node { id: ID }
type User implements Node @key(fields: "id") { id: ID! name: String }
type Admin implements Node { id: ID level: Int }
""",
    "b": _HEADER + 'type User @key(fields: "id", resolvable: false) { id: ID }',
}


def test_same_key_with_two_types_is_aliased_once() -> None:
    query = "{ node { ... on User { id } ... on Admin { id } } }"
    planned = plan_for(NODES, query)
    assert planned == EXPECTED_ALIASED
    assert fetch_count(planned) <= fetch_count(APOLLO_ALIASED)


EXPECTED_ALIASED = """\
QueryPlan {
  Fetch(service: "a") {
    {
      node {
        __typename
        ... on Admin {
          id
        }
        ... on User {
          id__alias_0: id
        }
      }
    }
  },
}"""

APOLLO_ALIASED = """\
QueryPlan {
  Fetch(service: "a") {
    {
      node {
        __typename
        ... on User {
          id
        }
        ... on Admin {
          id__alias_0: id
        }
      }
    }
  },
}"""


def test_the_fetch_renames_the_alias_back_for_its_type_only() -> None:
    fetch = plan(compose_supergraph(NODES), "{ node { id } }").node
    assert isinstance(fetch, Fetch)
    assert fetch.output_rewrites == (
        OutputRewrite(("node", frozenset({"User"})), "id__alias_0", "id"),
    )


def test_interface_field_expanded_per_type_is_aliased() -> None:
    planned = plan_for(NODES, "{ node { id } }")
    assert planned == EXPECTED_ALIASED
    assert fetch_count(planned) <= fetch_count(APOLLO_INTERFACE_FIELD)


APOLLO_INTERFACE_FIELD = """\
QueryPlan {
  Fetch(service: "a") {
    {
      node {
        __typename
        id
      }
    }
  },
}"""


def test_alias_skips_a_key_the_client_uses() -> None:
    query = "{ node { ... on User { id } ... on Admin { id id__alias_0: level } } }"
    planned = plan_for(NODES, query)
    assert "id__alias_1: id" in planned
    assert "id__alias_0: level" in planned


def test_same_types_are_not_aliased() -> None:
    assert "alias" not in plan_for(
        NODES, "{ node { ... on User { name } ... on Admin { level } } }"
    )
