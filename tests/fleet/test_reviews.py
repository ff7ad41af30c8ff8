from __future__ import annotations

from typing import Any

from tests.fleet.reviews import schema

QUERY = """query ($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on User { id username reviews { id } }
    ... on Product { upc reviews { id body author { id username } product { upc } } }
    ... on Review { id body author { id } }
  }
}"""


async def entities(*refs: dict[str, Any]) -> Any:
    result = await schema.execute(QUERY, variable_values={"r": list(refs)})
    assert result.errors is None
    assert result.data is not None
    return result.data["_entities"]


async def test_user_reviews_and_own_username_copy() -> None:
    users = await entities({"__typename": "User", "id": "2"}, {"__typename": "User", "id": "3"})
    assert users == [
        {"id": "2", "username": "@complete", "reviews": [{"id": "3"}, {"id": "4"}]},
        {"id": "3", "username": "@grace", "reviews": []},
    ]


async def test_unknown_user_is_an_entity_without_reviews_not_null() -> None:
    assert await entities({"__typename": "User", "id": "77"}) == [
        {"id": "77", "username": None, "reviews": []}
    ]


async def test_username_sent_in_representation_wins() -> None:
    ref = {"__typename": "User", "id": "1", "username": "@sent"}
    assert (await entities(ref))[0]["username"] == "@sent"


async def test_product_reviews_provide_author_username() -> None:
    products = await entities({"__typename": "Product", "upc": "1"})
    assert products == [
        {
            "upc": "1",
            "reviews": [
                {
                    "id": "1",
                    "body": "Love it!",
                    "author": {"id": "1", "username": "@ada"},
                    "product": {"upc": "1"},
                },
                {
                    "id": "4",
                    "body": "Prefer something else.",
                    "author": {"id": "2", "username": "@complete"},
                    "product": {"upc": "1"},
                },
            ],
        }
    ]


async def test_unknown_product_has_no_reviews_and_unknown_review_is_null() -> None:
    found = await entities(
        {"__typename": "Product", "upc": "9"},
        {"__typename": "Review", "id": "9"},
        {"__typename": "Review", "id": "3"},
    )
    assert found == [
        {"upc": "9", "reviews": []},
        None,
        {"id": "3", "body": "Could be better.", "author": {"id": "2"}},
    ]
