"""A field whose type differs per subgraph (``@join__field(type: ...)``) and abstract types
whose members differ per subgraph: each subgraph query is written against that subgraph's own
type, and, as Apollo Gateway does, a type condition is planned only when every subgraph that
could resolve the field can return it (``@shareable`` fields return the same values
everywhere). Each test records Apollo Gateway's plan for the same supergraph."""

from __future__ import annotations

from tests.router.planning.support import fetch_count, plan_for

_HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable"])\n'
)

# Query.item is the interface Item in a and the object Book in b (where Movie is no Item).
INTERFACE_OR_OBJECT = {
    "a": _HEADER
    + """
type Query { item: Item @shareable }
interface Item { id: ID! }
type Book implements Item @shareable { id: ID! title: String }
type Movie implements Item @shareable { id: ID! minutes: Int }
""",
    "b": _HEADER
    + """
type Query { item: Book @shareable  featured: Movie }
type Book @shareable { id: ID! title: String }
type Movie @shareable { id: ID! minutes: Int }
""",
}


def test_field_is_selected_on_the_subgraphs_own_object_type() -> None:
    query = "{ featured { id } item { id ... on Book { title } ... on Movie { minutes } } }"
    planned = plan_for(INTERFACE_OR_OBJECT, query)
    assert planned == EXPECTED_OWN_OBJECT_TYPE
    assert fetch_count(planned) <= fetch_count(APOLLO_OWN_OBJECT_TYPE)


EXPECTED_OWN_OBJECT_TYPE = """\
QueryPlan {
  Fetch(service: "b") {
    {
      featured {
        id
      }
      item {
        __typename
        id
        title
      }
    }
  },
}"""

APOLLO_OWN_OBJECT_TYPE = EXPECTED_OWN_OBJECT_TYPE


def test_type_condition_no_resolving_subgraph_can_return_is_dropped() -> None:
    query = "{ item { id ... on Movie { minutes } } }"
    planned = plan_for(INTERFACE_OR_OBJECT, query)
    assert planned == EXPECTED_CONDITION_DROPPED
    assert fetch_count(planned) <= fetch_count(APOLLO_CONDITION_DROPPED)


EXPECTED_CONDITION_DROPPED = """\
QueryPlan {
  Fetch(service: "a") {
    {
      item {
        __typename
        ... on Book {
          id
        }
      }
    }
  },
}"""

APOLLO_CONDITION_DROPPED = """\
QueryPlan {
  Fetch(service: "a") {
    {
      item {
        __typename
        id
      }
    }
  },
}"""


# Result has Book and Movie in a, only Book in b; search is @shareable in both.
UNION_MEMBERS = {
    "a": _HEADER
    + """
type Query { search: [Result] @shareable }
union Result = Book | Movie
type Book @shareable { id: ID! title: String }
type Movie @shareable { id: ID! minutes: Int }
""",
    "b": _HEADER
    + """
type Query { search: [Result] @shareable  topBook: Book }
union Result = Book
type Book @shareable { id: ID! title: String }
""",
}


def test_union_member_one_sharing_subgraph_lacks_is_not_planned() -> None:
    query = "{ search { ... on Book { title } ... on Movie { minutes } } }"
    planned = plan_for(UNION_MEMBERS, query)
    assert planned == EXPECTED_UNION_MEMBER_NOT_PLANNED
    assert fetch_count(planned) <= fetch_count(APOLLO_UNION_MEMBER_NOT_PLANNED)


EXPECTED_UNION_MEMBER_NOT_PLANNED = """\
QueryPlan {
  Fetch(service: "a") {
    {
      search {
        __typename
        ... on Book {
          title
        }
      }
    }
  },
}"""

APOLLO_UNION_MEMBER_NOT_PLANNED = EXPECTED_UNION_MEMBER_NOT_PLANNED


def test_union_member_the_chosen_subgraph_lacks_is_dropped() -> None:
    query = "{ topBook { id } search { ... on Book { title } ... on Movie { minutes } } }"
    planned = plan_for(UNION_MEMBERS, query)
    assert planned == EXPECTED_UNION_MEMBER_DROPPED
    assert fetch_count(planned) <= fetch_count(APOLLO_UNION_MEMBER_DROPPED)


EXPECTED_UNION_MEMBER_DROPPED = """\
QueryPlan {
  Fetch(service: "b") {
    {
      topBook {
        id
      }
      search {
        __typename
        ... on Book {
          title
        }
      }
    }
  },
}"""

APOLLO_UNION_MEMBER_DROPPED = EXPECTED_UNION_MEMBER_DROPPED


# Product.related is shared by a and b, whose Result lacks Movie; b is reachable by Product's key.
ENTITY_MEMBERS = {
    "a": _HEADER
    + """type Query { products: [Product] }
type Product @key(fields: "id") { id: ID! related: [Result] @shareable }
union Result = Book | Movie
type Book @shareable { id: ID! title: String }
type Movie @shareable { id: ID! minutes: Int }""",
    "b": _HEADER
    + """type Product @key(fields: "id") { id: ID! related: [Result] @shareable }
union Result = Book
type Book @shareable { id: ID! title: String }""",
}


def test_union_member_a_subgraph_reachable_by_key_lacks_is_not_planned() -> None:
    planned = plan_for(
        ENTITY_MEMBERS,
        "{ products { related { ... on Book { title } ... on Movie { minutes } } } }",
    )
    assert planned == EXPECTED_KEY_REACHABLE
    assert fetch_count(planned) <= fetch_count(APOLLO_KEY_REACHABLE)


EXPECTED_KEY_REACHABLE = """\
QueryPlan {
  Fetch(service: "a") {
    {
      products {
        related {
          __typename
          ... on Book {
            title
          }
        }
      }
    }
  },
}"""

APOLLO_KEY_REACHABLE = EXPECTED_KEY_REACHABLE


# The same below a value type: b is reachable through the entity ancestor Product.
VALUE_MEMBERS = {
    "a": _HEADER
    + """type Query { products: [Product] }
type Product @key(fields: "id") { id: ID! info: Info @shareable }
type Info @shareable { related: [Result] @shareable }
union Result = Book | Movie
type Book @shareable { id: ID! title: String }
type Movie @shareable { id: ID! minutes: Int }""",
    "b": _HEADER
    + """type Product @key(fields: "id") { id: ID! info: Info @shareable }
type Info @shareable { related: [Result] @shareable }
union Result = Book
type Book @shareable { id: ID! title: String }""",
}


def test_union_member_a_subgraph_reachable_through_an_ancestor_lacks_is_not_planned() -> None:
    query = "{ products { info { related { ... on Book { title } ... on Movie { minutes } } } } }"
    planned = plan_for(VALUE_MEMBERS, query)
    assert planned == EXPECTED_ANCESTOR_REACHABLE
    assert fetch_count(planned) <= fetch_count(APOLLO_ANCESTOR_REACHABLE)


EXPECTED_ANCESTOR_REACHABLE = """\
QueryPlan {
  Fetch(service: "a") {
    {
      products {
        info {
          related {
            __typename
            ... on Book {
              title
            }
          }
        }
      }
    }
  },
}"""

APOLLO_ANCESTOR_REACHABLE = EXPECTED_ANCESTOR_REACHABLE
