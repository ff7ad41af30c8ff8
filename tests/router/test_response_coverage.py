"""Response coverage: a selected field is present, and null only with a reason.

Each case shapes merged data (as execution would have built it from the subgraphs'
answers) with the real ``shape_response``, then checks the result.
"""

from __future__ import annotations

import functools
from typing import Any

from router.response_coverage import CoverageViolation, check_response_coverage
from router.response_shaping import ShapingSchema, shape_response
from router.supergraph import Supergraph
from tests.router.planning.support import FLEET, SHOP, operation


@functools.cache
def _shaping(sdl: str) -> ShapingSchema:
    supergraph = Supergraph.from_sdl(sdl)
    return ShapingSchema.of(supergraph.api_schema, supergraph.possible_types)


def check(
    query: str,
    merged: dict[str, Any],
    errors: list[dict[str, Any]] | None = None,
    sdl: str = FLEET,
) -> list[str]:
    normalized = operation(sdl, query)
    shaped, shaping_errors = shape_response(_shaping(sdl), normalized, merged)
    every_error = [*(errors or []), *shaping_errors]
    found = check_response_coverage(_shaping(sdl), normalized, merged, shaped, every_error)
    return [str(violation) for violation in found]


QUERY = "{ topProducts { upc inStock } }"
ABSENT = "null, but no subgraph answered it and no error covers it"


def test_values_and_subgraph_nulls_are_covered() -> None:
    merged = {"topProducts": [{"upc": "1", "inStock": True}, {"upc": "2", "inStock": None}]}
    assert check(QUERY, merged) == []


def test_a_field_no_subgraph_answered_is_a_violation() -> None:
    merged = {"topProducts": [{"upc": "1", "inStock": True}, {"upc": "2"}]}
    assert check(QUERY, merged) == [f"topProducts.1.inStock: {ABSENT}"]


def test_an_error_on_the_object_or_without_a_path_covers_what_is_missing() -> None:
    merged = {"topProducts": [{"upc": "1"}]}
    on_entity = {"message": "no such product", "path": ["topProducts", 0]}
    assert check(QUERY, merged, [on_entity]) == []
    assert check(QUERY, merged, [{"message": "inventory is down"}]) == []
    elsewhere = {"message": "no such product", "path": ["topProducts", 1]}
    assert check(QUERY, merged, [elsewhere]) == [f"topProducts.0.inStock: {ABSENT}"]


def test_an_entity_a_subgraph_answered_null_covers_its_missing_fields() -> None:
    normalized = operation(FLEET, QUERY)
    merged = {"topProducts": [{"upc": "1"}, {"upc": "2"}]}
    shaped, _ = shape_response(_shaping(FLEET), normalized, merged)
    null_entities: list[list[str | int]] = [["topProducts", 1]]
    found = check_response_coverage(_shaping(FLEET), normalized, merged, shaped, [], null_entities)
    assert [str(v) for v in found] == [f"topProducts.0.inStock: {ABSENT}"]


def test_a_value_turned_into_null_needs_an_error_at_or_below_it() -> None:
    query = "{ me { id reviews { id } } }"
    merged = {"me": {"id": "1", "reviews": [{"id": None}]}}  # Review.id is non-null
    assert check(query, merged) == []  # shaping nulls the review and says why
    normalized = operation(FLEET, query)
    shaped = {"me": {"id": "1", "reviews": None}}
    found = check_response_coverage(_shaping(FLEET), normalized, merged, shaped, [])
    assert found == [
        CoverageViolation(
            ("me", "reviews"), "null, but a subgraph answered a value and no error covers it"
        )
    ]
    error = {"message": "wrong", "path": ["me", "reviews", 0, "id"]}
    assert check_response_coverage(_shaping(FLEET), normalized, merged, shaped, [error]) == []


def test_a_missing_key_and_null_data_without_errors_are_violations() -> None:
    normalized = operation(FLEET, QUERY)
    merged = {"topProducts": [{"upc": "1", "inStock": True}]}
    shaped = {"topProducts": [{"upc": "1"}]}
    found = check_response_coverage(_shaping(FLEET), normalized, merged, shaped, [])
    assert [str(v) for v in found] == ["topProducts.0.inStock: selected but missing"]
    assert check_response_coverage(_shaping(FLEET), normalized, merged, None, []) == [
        CoverageViolation((), "data is null and no error explains it")
    ]
    error = {"message": "boom", "path": ["topProducts"]}
    assert check_response_coverage(_shaping(FLEET), normalized, merged, None, [error]) == []


def test_fields_of_other_runtime_types_are_not_expected() -> None:
    query = "{ media { title ... on Book { rating } ... on Movie { minutes } } }"
    book = {"__typename": "Book", "title": "Dune", "rating": 5}
    movie: dict[str, Any] = {"__typename": "Movie", "title": "Alien"}
    assert check(query, {"media": [book, movie]}, sdl=SHOP) == [f"media.1.minutes: {ABSENT}"]
    assert check(query, {"media": [book, {**movie, "minutes": 117}]}, sdl=SHOP) == []


def test_an_authorization_path_covers_every_list_item_below_it() -> None:
    """router.authorization reports ``"@"`` for list levels and ``"... on T"`` for removed
    fragments: those paths cover the nulls of every item, and nothing elsewhere."""
    merged = {"topProducts": [{"upc": "1"}, {"upc": "2"}]}
    removed = {"message": "Unauthorized field or type", "path": ["topProducts", "@", "inStock"]}
    assert check(QUERY, merged, [removed]) == []
    fragment = {"message": "x", "path": ["topProducts", "@", "... on Product"]}
    assert check(QUERY, merged, [fragment]) == []
    other = {"message": "Unauthorized field or type", "path": ["me", "@", "inStock"]}
    assert check(QUERY, merged, [other]) == [
        f"topProducts.0.inStock: {ABSENT}",
        f"topProducts.1.inStock: {ABSENT}",
    ]
