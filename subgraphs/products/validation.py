"""Input rules of the products domain; each violation is a BAD_USER_INPUT naming its field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from subgraphs.common.errors import BadUserInput
from subgraphs.common.like import contains
from subgraphs.common.money import minor_units_exponent

__all__ = [
    "CURRENCIES",
    "MAX_PRICE_MINOR",
    "MAX_WEIGHT_GRAMS",
    "clean_category",
    "clean_currency",
    "clean_description",
    "clean_name",
    "clean_search",
    "clean_sku",
    "clean_weight",
    "price_in_minor_units",
]

# ISO 4217 codes we sell in. Deliberately a closed list of currencies whose minor unit is
# 2 digits (or 0 for those ``subgraphs.common.money`` knows), so stored minor units always
# mean what ``money()`` prints.
CURRENCIES = frozenset(
    [
        "AUD",
        "CAD",
        "CHF",
        "CNY",
        "CZK",
        "DKK",
        "EUR",
        "GBP",
        "HKD",
        "IDR",
        "INR",
        "JPY",
        "KRW",
        "MOP",
        "MXN",
        "MYR",
        "NOK",
        "NZD",
        "PHP",
        "PLN",
        "SEK",
        "SGD",
        "THB",
        "TWD",
        "USD",
        "VND",
        "ZAR",
    ]
)
MAX_PRICE_MINOR = 10**12
MAX_WEIGHT_GRAMS = 1_000_000
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,63}$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9-]{1,63}$")


def clean_sku(sku: str) -> str:
    """Upper-case letters, digits and dashes, 3 to 64 characters (e.g. ``SKU-000042``)."""
    sku = sku.strip().upper()
    if not _SKU.match(sku):
        raise BadUserInput(
            f"Invalid SKU {sku!r}: use 3 to 64 letters, digits or dashes", field="sku"
        )
    return sku


def clean_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise BadUserInput("Name must be 1 to 200 characters", field="name")
    return name


def clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > 10_000:
        raise BadUserInput("Description must be at most 10000 characters", field="description")
    return description


def clean_category(category: str) -> str:
    category = category.strip().lower()
    if not _CATEGORY.match(category):
        raise BadUserInput(
            f"Invalid category {category!r}: a lower-case slug of 2 to 64 characters",
            field="category",
        )
    return category


def clean_currency(currency: str) -> str:
    currency = currency.strip().upper()
    if currency not in CURRENCIES:
        raise BadUserInput(
            f"Unsupported currency {currency!r}: expected an ISO 4217 code such as CNY",
            field="currency",
        )
    return currency


def price_in_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in ``currency``'s minor unit; positive, exact (no rounding), bounded."""
    exponent = minor_units_exponent(currency)
    try:
        minor = amount.scaleb(exponent)
        exact = minor == minor.to_integral_value()
    except InvalidOperation:
        exact = False
    if not amount.is_finite() or not exact:
        raise BadUserInput(
            f"Price {amount} must have at most {exponent} decimal places in {currency}",
            field="price",
        )
    if not 0 < minor <= MAX_PRICE_MINOR:
        raise BadUserInput(f"Price must be positive and realistic, got {amount}", field="price")
    return int(minor)


def clean_weight(weight_grams: int) -> int:
    if not 0 <= weight_grams <= MAX_WEIGHT_GRAMS:
        raise BadUserInput(
            f"Weight must be between 0 and {MAX_WEIGHT_GRAMS} grams", field="weightGrams"
        )
    return weight_grams


def clean_search(search: str) -> str:
    """The search text as a LIKE pattern matched literally (see ``subgraphs.common.like``)."""
    return contains(search.strip().lower())
