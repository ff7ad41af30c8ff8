"""``@shareable``: a field several subgraphs resolve is read where no hop is needed."""

from __future__ import annotations

from tests.router.planning.support import SHOP_SUBGRAPHS, plan_for


def test_shareable_field_read_from_reviews() -> None:
    query = "{ topAuthor { name followers } }"
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_SHAREABLE_FIELD_READ_FROM_REVIEWS


EXPECTED_SHAREABLE_FIELD_READ_FROM_REVIEWS = """\
QueryPlan {
  Fetch(service: "reviews") {
    {
      topAuthor {
        name
        followers
      }
    }
  },
}"""


def test_shareable_field_read_from_catalog() -> None:
    query = '{ author(id: "a2") { name handle } }'
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_SHAREABLE_FIELD_READ_FROM_CATALOG


EXPECTED_SHAREABLE_FIELD_READ_FROM_CATALOG = """\
QueryPlan {
  Fetch(service: "catalog") {
    {
      author(id: "a2") {
        name
        handle
      }
    }
  },
}"""


# Query.shelf and the Shelf value type are shared by x and y; only y has Shelf.extra.
SHARED_ROOT = {
    "x": """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])

type Query {
  shelf: Shelf @shareable
}

type Shelf @shareable {
  id: ID!
  label: String
}
""",
    "y": """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])

type Query {
  shelf: Shelf @shareable
}

type Shelf @shareable {
  id: ID!
  label: String
  extra: Int
}
""",
}


def test_shareable_root_field_goes_where_its_selection_resolves() -> None:
    assert plan_for(SHARED_ROOT, "{ shelf { extra } }") == (
        'QueryPlan {\n  Fetch(service: "y") {\n    {\n      shelf {\n        extra\n'
        "      }\n    }\n  },\n}"
    )
    assert 'Fetch(service: "x")' in plan_for(SHARED_ROOT, "{ shelf { label } }")
