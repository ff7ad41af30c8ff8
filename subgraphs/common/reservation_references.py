"""The reference of an order's stock reservation, as orders writes it and inventory stores
it: ``order:<customer id>:<idempotency key>``. Shared so that inventory can pseudonymise the
references of an erased customer exactly as orders pseudonymises the orders behind them."""

from __future__ import annotations

__all__ = ["customer_prefix", "idempotency_key_of", "reservation_reference"]


def reservation_reference(customer_id: int, idempotency_key: str) -> str:
    """The stock reservation of the customer's order placed with ``idempotency_key``."""
    return f"{customer_prefix(customer_id)}{idempotency_key}"


def customer_prefix(customer_id: int) -> str:
    """What every reference of ``customer_id``'s orders starts with."""
    return f"order:{customer_id}:"


def idempotency_key_of(reference: str, customer_id: int) -> str | None:
    """The idempotency key in ``reference`` when it is one of ``customer_id``'s orders."""
    prefix = customer_prefix(customer_id)
    return reference[len(prefix) :] if reference.startswith(prefix) else None
