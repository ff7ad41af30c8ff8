"""router.authorization.filter: Apollo Router's removal rules on a small schema."""

from __future__ import annotations

import pytest
from graphql import DocumentNode, GraphQLInterfaceType, build_ast_schema, parse

from router.authorization.filter import filter_operation
from router.authorization.requirements import AccessRequirements, Grant
from router.operation import Field, NormalizedOperation, Selection, normalize, select_operation

LINKS = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY, as: "scopes")
  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)
{ query: Query mutation: Mutation }
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @scopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
"""
SDL = (
    LINKS
    + """
type Query {
  me: User @authenticated
  users: [User!]! @scopes(scopes: [["staff"], ["users:read", "bulk"]])
  posts: [Post!]!
  public: String
  report: String @policy(policies: [["reports"]])
}
type Mutation { ping: String @scopes(scopes: [["writer"]]) open: String }
type User { id: ID! name: String email: String! @scopes(scopes: [["pii"]]) orders: [Order!] }
type Order @scopes(scopes: [["orders"]]) { id: ID! total: Int }
interface Post { id: ID! title: String }
type PublicPost implements Post { id: ID! title: String }
type PrivatePost implements Post @authenticated { id: ID! title: String }
"""
)
SCHEMA = build_ast_schema(parse(SDL), assume_valid_sdl=True)
POSSIBLE = {
    name: frozenset(t.name for t in SCHEMA.get_possible_types(named))
    for name, named in SCHEMA.type_map.items()
    if isinstance(named, GraphQLInterfaceType)
}
REQUIREMENTS = AccessRequirements.from_supergraph(SCHEMA, POSSIBLE)
ANONYMOUS = Grant()
SIGNED_IN = Grant(authenticated=True)


def _print(selections: tuple[Selection, ...]) -> str:
    parts = []
    for selection in selections:
        if isinstance(selection, Field):
            head = selection.name
            if selection.response_key != selection.name:
                head = f"{selection.response_key}:{selection.name}"
            parts.append(head + (_print(selection.selections) if selection.selections else ""))
        else:
            parts.append(f"...on {selection.type_condition}{_print(selection.selections)}")
    return "{" + " ".join(parts) + "}"


def _normalized(query: str) -> NormalizedOperation:
    document: DocumentNode = parse(query)
    operation = select_operation(SCHEMA, document, None)
    assert not isinstance(operation, Exception) and hasattr(operation, "selection_set")
    return normalize(SCHEMA, document, operation, {})  # type: ignore[arg-type]


def run(query: str, grant: Grant) -> tuple[str, list[tuple[str, ...]]]:
    result = filter_operation(_normalized(query), REQUIREMENTS, grant)
    return _print(result.operation.selections), list(result.removed)


def test_authenticated_field_is_removed_for_anonymous_callers_only() -> None:
    assert run("{ public me { id } }", ANONYMOUS) == ("{public}", [("me",)])
    assert run("{ public me { id } }", SIGNED_IN) == ("{public me{id}}", [])


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        ({"staff"}, True),  # one alternative
        ({"users:read", "bulk"}, True),  # every scope of the other
        ({"users:read"}, False),  # half of an alternative is not enough
        (set(), False),
    ],
)
def test_outer_list_is_or_inner_list_is_and(scopes: set[str], allowed: bool) -> None:
    grant = Grant(True, frozenset(scopes))
    printed, removed = run("{ users { id } }", grant)
    assert (printed == "{users{id}}") is allowed
    assert removed == ([] if allowed else [("users",)])


def test_paths_use_aliases_and_mark_lists_with_at() -> None:
    grant = Grant(True, frozenset({"staff"}))
    printed, removed = run("{ users { id mail: email } }", grant)
    assert (printed, removed) == ("{users{id}}", [("users", "@", "mail")])


def test_a_field_whose_type_is_unauthorized_is_removed() -> None:
    grant = Grant(True, frozenset({"staff"}))
    assert run("{ users { id orders { id } } }", grant) == (
        "{users{id}}",
        [("users", "@", "orders")],
    )
    allowed = Grant(True, frozenset({"staff", "orders"}))
    assert run("{ users { orders { id } } }", allowed) == ("{users{orders{id}}}", [])


def test_a_field_left_empty_keeps_its_object() -> None:
    grant = Grant(True, frozenset({"staff"}))
    assert run("{ users { email } }", grant) == ("{users{__typename}}", [("users", "@", "email")])


def test_interface_fields_need_every_implementation() -> None:
    assert run("{ posts { id title } }", ANONYMOUS) == ("{}", [("posts",)])
    assert run("{ posts { id title } }", SIGNED_IN) == ("{posts{id title}}", [])
    assert run("{ posts { __typename } }", ANONYMOUS) == ("{posts{__typename}}", [])


def test_fragments_on_unauthorized_types_are_removed() -> None:
    query = "{ posts { ... on PublicPost { id } ... on PrivatePost { id } } }"
    assert run(query, ANONYMOUS) == (
        "{posts{...on PublicPost{id}}}",
        [("posts", "@", "... on PrivatePost")],
    )
    named = "{ posts { ...Private } } fragment Private on PrivatePost { title }"
    assert run(named, ANONYMOUS) == (
        "{posts{__typename}}",
        [("posts", "@", "... on PrivatePost")],
    )


def test_mutation_fields_are_removed_alone() -> None:
    assert run("mutation { ping open }", ANONYMOUS) == ("{open}", [("ping",)])
    assert run("mutation { ping open }", Grant(False, frozenset({"writer"}))) == (
        "{ping open}",
        [],
    )


def test_policies_must_be_granted() -> None:
    assert run("{ report }", SIGNED_IN) == ("{}", [("report",)])
    assert run("{ report }", Grant(True, policies=frozenset({"reports"}))) == ("{report}", [])


def test_a_renamed_directive_is_enforced() -> None:
    """``@link(..., as: "scopes")``: Apollo Router once missed renames (CVE-2025-64347)."""
    assert REQUIREMENTS.of_field("Query", "users").scopes is not None
    assert REQUIREMENTS.of_type("Order").scopes == (frozenset({"orders"}),)


def test_nothing_is_copied_when_nothing_is_removed() -> None:
    operation = _normalized("{ public users { id } }")
    result = filter_operation(operation, REQUIREMENTS, Grant(True, frozenset({"staff"})))
    assert result.operation is operation and result.removed == ()
