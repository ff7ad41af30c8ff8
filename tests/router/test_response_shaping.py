"""Response shaping: requested keys only, request order, aliases, __typename, null propagation."""

from __future__ import annotations

import functools
import json
from typing import Any

from graphql import DocumentNode, OperationDefinitionNode

from router.operation import normalize, parse_and_validate, select_operation
from router.response_shaping import ShapingSchema, shape_response
from router.supergraph import Supergraph
from tests.router.planning.support import FLEET, SHOP


@functools.cache
def _supergraph(sdl: str) -> Supergraph:
    return Supergraph.from_sdl(sdl)


def shape(
    sdl: str, query: str, data: dict[str, Any], variables: dict[str, Any] | None = None
) -> tuple[Any, list[dict[str, Any]]]:
    supergraph = _supergraph(sdl)
    schema = supergraph.api_schema
    document = parse_and_validate(schema, query)
    assert isinstance(document, DocumentNode), document
    operation = select_operation(schema, document, None)
    assert isinstance(operation, OperationDefinitionNode)
    normalized = normalize(schema, document, operation, variables or {})
    return shape_response(ShapingSchema.of(schema, supergraph.possible_types), normalized, data)


def test_extra_fields_are_dropped_and_request_order_kept() -> None:
    data = {"me": {"__typename": "User", "id": "1", "username": "@ada", "name": "Ada"}}
    shaped, errors = shape(FLEET, "{ me { name id } }", data)
    assert json.dumps(shaped) == '{"me": {"name": "Ada", "id": "1"}}'
    assert errors == []


def test_aliases_and_typename() -> None:
    data = {"topProducts": [{"__typename": "Product", "u": "1"}]}
    shaped, _ = shape(FLEET, "{ __typename topProducts { u: upc t: __typename } }", data)
    assert shaped == {"__typename": "Query", "topProducts": [{"u": "1", "t": "Product"}]}


def test_fragments_apply_by_runtime_type() -> None:
    query = "{ media { id ... on Book { pages } ... on Movie { minutes } } }"
    data = {
        "media": [
            {"__typename": "Book", "id": "b1", "pages": 3},
            {"__typename": "Movie", "id": "m1", "minutes": 9},
        ]
    }
    shaped, _ = shape(SHOP, query, data)
    assert shaped == {"media": [{"id": "b1", "pages": 3}, {"id": "m1", "minutes": 9}]}


def test_a_fragment_on_an_object_inside_one_on_an_abstract_type_applies() -> None:
    # an object field's answer carries no __typename: inside "... on SearchResult" the
    # author is still an Author, so "... on Author" applies
    query = '{ author(id: "a1") { ... on SearchResult { ... on Author { name } } } }'
    shaped, _ = shape(SHOP, query, {"author": {"name": "Ada"}})
    assert shaped == {"author": {"name": "Ada"}}
    query = '{ author(id: "a1") { ...R } } fragment R on SearchResult { ... on Author { id } }'
    shaped, _ = shape(SHOP, query, {"author": {"id": "a1"}})
    assert shaped == {"author": {"id": "a1"}}


def test_missing_nullable_field_is_null() -> None:
    shaped, errors = shape(FLEET, "{ me { name birthDate } }", {"me": {"name": "Ada"}})
    assert shaped == {"me": {"name": "Ada", "birthDate": None}}
    assert errors == []


def test_null_in_non_null_field_bubbles_to_the_nearest_nullable_parent() -> None:
    data = {"me": {"reviews": [{"id": None, "body": "x"}]}}
    shaped, errors = shape(FLEET, "{ me { reviews { id body } } }", data)
    assert shaped == {"me": {"reviews": [None]}}
    assert errors == [
        {
            "message": "Cannot return null for non-nullable field Review.id.",
            "path": ["me", "reviews", 0, "id"],
            "extensions": {"code": "INVALID_GRAPHQL"},
        }
    ]


def test_null_in_non_null_list_element_nullifies_up_to_the_root() -> None:
    shaped, errors = shape(FLEET, "{ users { id } }", {"users": [None]})
    assert shaped is None
    assert errors[0]["message"] == (
        "Cannot return null for non-nullable array element of type User at index 0."
    )


def test_invalid_leaf_value_is_nulled_with_an_error() -> None:
    shaped, errors = shape(FLEET, "{ topProducts { price } }", {"topProducts": [{"price": "x"}]})
    assert shaped == {"topProducts": [{"price": None}]}
    assert errors[0]["message"] == "Invalid value found for field Product.price."


def test_skipped_field_is_absent() -> None:
    query = "query($s: Boolean!) { me { id name @skip(if: $s) } }"
    shaped, _ = shape(FLEET, query, {"me": {"id": "1", "name": "Ada"}}, {"s": True})
    assert shaped == {"me": {"id": "1"}}
