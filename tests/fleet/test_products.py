from __future__ import annotations

from typing import Any

import pytest

from tests.fleet.products import schema

ENTITIES = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { upc name } } }"


async def run(query: str, variables: dict[str, Any] | None = None) -> Any:
    result = await schema.execute(query, variable_values=variables)
    assert result.errors is None
    return result.data


async def test_top_products_default_is_the_whole_catalogue() -> None:
    data = await run("{ topProducts { upc name price weight } }")
    assert data["topProducts"] == [
        {"upc": "1", "name": "Table", "price": 899, "weight": 100},
        {"upc": "2", "name": "Couch", "price": 1299, "weight": 1000},
        {"upc": "3", "name": "Chair", "price": 54, "weight": 50},
    ]


@pytest.mark.parametrize(
    ("first", "upcs"),
    [
        ("1", ["1"]),
        ("2", ["1", "2"]),
        ("0", []),
        ("-1", []),
        ("1000", ["1", "2", "3"]),
        ("null", ["1", "2", "3"]),
    ],
)
async def test_top_products_slices_like_the_node_fleet(first: str, upcs: list[str]) -> None:
    data = await run(f"{{ topProducts(first: {first}) {{ upc }} }}")
    assert [product["upc"] for product in data["topProducts"]] == upcs


async def test_entities_resolve_known_upcs_and_null_for_unknown() -> None:
    refs = [{"__typename": "Product", "upc": "2"}, {"__typename": "Product", "upc": "nope"}]
    data = await run(ENTITIES, {"r": refs})
    assert data == {"_entities": [{"upc": "2", "name": "Couch"}, None]}
