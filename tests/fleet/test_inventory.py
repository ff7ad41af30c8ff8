from __future__ import annotations

from typing import Any

from tests.fleet.inventory import schema

ENTITIES = """query ($r: [_Any!]!) {
  _entities(representations: $r) { ... on Product { upc inStock shippingEstimate } }
}"""


def product(upc: str, **fields: Any) -> dict[str, Any]:
    return {"__typename": "Product", "upc": upc, **fields}


async def entities(*refs: dict[str, Any]) -> Any:
    return await schema.execute(ENTITIES, variable_values={"r": list(refs)})


async def test_shipping_estimate_is_free_above_1000_else_half_the_weight() -> None:
    result = await entities(
        product("1", price=899, weight=100),
        product("2", price=1299, weight=1000),
        product("3", price=1000, weight=50),
    )
    assert result.errors is None
    assert result.data == {
        "_entities": [
            {"upc": "1", "inStock": True, "shippingEstimate": 50},
            {"upc": "2", "inStock": False, "shippingEstimate": 0},
            {"upc": "3", "inStock": True, "shippingEstimate": 25},
        ]
    }


async def test_shipping_estimate_rounds_halves_up_like_math_round() -> None:
    result = await entities(product("1", price=1, weight=5), product("3", price=1, weight=1))
    assert result.data == {
        "_entities": [
            {"upc": "1", "inStock": True, "shippingEstimate": 3},
            {"upc": "3", "inStock": True, "shippingEstimate": 1},
        ]
    }


async def test_shipping_estimate_without_required_fields_is_an_error() -> None:
    result = await entities(product("1"), product("2", price=10))
    assert result.data == {
        "_entities": [
            {"upc": "1", "inStock": True, "shippingEstimate": None},
            {"upc": "2", "inStock": False, "shippingEstimate": None},
        ]
    }
    assert result.errors is not None
    assert [(e.message, e.path) for e in result.errors] == [
        ("price and weight are required", ["_entities", 0, "shippingEstimate"]),
        ("price and weight are required", ["_entities", 1, "shippingEstimate"]),
    ]


async def test_unknown_upc_is_null() -> None:
    result = await entities(product("42", price=1, weight=1))
    assert result.errors is None
    assert result.data == {"_entities": [None]}
