"""Money as an exact decimal amount plus its ISO 4217 currency (stored in minor units)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

__all__ = ["Money", "minor_units_exponent", "money"]

_ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND"})


def minor_units_exponent(currency: str) -> int:
    return 0 if currency in _ZERO_DECIMAL_CURRENCIES else 2


@strawberry.federation.type(shareable=True, description="An exact amount of money.")
class Money:
    amount: Decimal = strawberry.field(description="Decimal amount, e.g. 899.00")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. CNY")
    minor_units: int = strawberry.field(description="Amount in the currency's minor unit")


def money(minor_units: int, currency: str) -> Money:
    exponent = minor_units_exponent(currency)
    amount = Decimal(minor_units).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))
    return Money(amount=amount, currency=currency, minor_units=minor_units)
