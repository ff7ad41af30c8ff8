"""Pseudonyms and reservation references: what orders and inventory must derive alike."""

from __future__ import annotations

from subgraphs.common.erasure import ERASED_CUSTOMER_ID, pseudonym
from subgraphs.common.reservation_references import (
    customer_prefix,
    idempotency_key_of,
    reservation_reference,
)


def test_a_pseudonym_is_stable_per_salt_and_hides_the_value() -> None:
    first = pseudonym("salt-a", "checkout-7")
    assert first == pseudonym("salt-a", "checkout-7")
    assert first != pseudonym("salt-b", "checkout-7")
    assert first != pseudonym("salt-a", "checkout-8")
    assert "checkout" not in first and len(first) <= 128  # the column's size


def test_references_name_their_customer_and_key() -> None:
    reference = reservation_reference(12, "key:with:colons")
    assert reference == "order:12:key:with:colons"
    assert idempotency_key_of(reference, 12) == "key:with:colons"
    assert idempotency_key_of(reference, 1) is None  # "order:1:" is not a prefix of it
    assert not reference.startswith(customer_prefix(1))


def test_orders_and_inventory_pseudonymise_a_reference_alike() -> None:
    """Inventory rewrites the reference of the order orders rewrites: same salt, same key."""
    salt, key = "request-salt", "checkout-7"
    order_side = reservation_reference(ERASED_CUSTOMER_ID, pseudonym(salt, key))
    stored = reservation_reference(42, key)
    found = idempotency_key_of(stored, 42)
    assert found is not None
    assert reservation_reference(ERASED_CUSTOMER_ID, pseudonym(salt, found)) == order_side
