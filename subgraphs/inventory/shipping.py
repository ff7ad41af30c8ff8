"""Shipping estimates from a product's price and weight (both owned by products, reaching
inventory through ``@requires``) and whether inventory can ship it now."""

from __future__ import annotations

from typing import NamedTuple

from subgraphs.common.money import minor_units_exponent

__all__ = [
    "BASE_DAYS",
    "BASE_FEE",
    "FEE_PER_KG",
    "FREE_SHIPPING_FROM",
    "HEAVY_GRAMS",
    "RESTOCK_DAYS",
    "Estimate",
    "estimate",
]

# Whole units of the product's currency.
FREE_SHIPPING_FROM = 199
BASE_FEE = 8
FEE_PER_KG = 2
# The base fee covers the first kilogram; each further started kilogram costs FEE_PER_KG.
BASE_DAYS = 2
HEAVY_GRAMS = 10_000
RESTOCK_DAYS = 7


class Estimate(NamedTuple):
    cost_minor: int
    currency: str
    days: int


def estimate(price_minor: int, currency: str, weight_grams: int, in_stock: bool) -> Estimate:
    unit = 10 ** minor_units_exponent(currency)
    if price_minor >= FREE_SHIPPING_FROM * unit:
        cost = 0
    else:
        extra_kilograms = max(0, -(-(weight_grams - 1_000) // 1_000))
        cost = (BASE_FEE + FEE_PER_KG * extra_kilograms) * unit
    days = BASE_DAYS + (1 if weight_grams > HEAVY_GRAMS else 0)
    if not in_stock:
        days += RESTOCK_DAYS
    return Estimate(cost, currency, days)
