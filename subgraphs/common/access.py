"""Row-level access: which customers' rows the caller may read or change, enforced in
each subgraph as defence in depth behind the router's ``@requiresScopes``.

A :class:`CustomerRows` rule names the scope that opens every customer's rows of one kind
(``staff`` always does, and so does the unverified development caller). Anyone else holds
at most its own rows: a ``user`` caller with the ``customer`` scope owns the customer whose
id is its subject. Partners (API keys) own no customer: they see what their scopes grant.

=====================================  ======================  ==========================
rows                                   everyone's rows with    a customer caller
=====================================  ======================  ==========================
customer profile (``customer``,        ``customers:read``      itself
``customers``, Customer entities)
``updateCustomer``                     ``customers:write``     itself
orders (``order``, ``orders``, Order   ``orders:read``         its own
entities, ``Customer.orders``)
``placeOrder`` / ``cancelOrder``       ``orders:write``        for / of itself
``updateOrderStatus``                  ``orders:write``        never (not even its own)
``Customer.recommendations``           ``marketing:read``      its own
=====================================  ======================  ==========================

Resolvers ask the rule where rows are loaded, never after a page is loaded:

- one row: :meth:`CustomerRows.check` raises :class:`Forbidden`: the field (or the
  ``_entities`` item: a representation of another customer's row never yields its data) is
  null with ``extensions.code: FORBIDDEN``. Known customer ids are checked before any SQL;
  an order is checked on the row its batched load read (no statement of its own). A row that
  does not exist is FORBIDDEN too for a caller who does not see every row, so ids cannot be
  probed; a caller who sees every row gets the plain null.
- a list: :meth:`CustomerRows.restrict` adds ``WHERE customer_id IN (<owned>)`` (``WHERE
  false`` for a caller who owns none) to the statement, so keyset pages and ``totalCount``
  hold only what the caller may see. A filter naming another customer finds nothing.

``redeemCoupon`` names no customer (a coupon is redeemed by code), so no row rule applies
to it. ``placeOrder`` asks the customers domain whether the customer exists with the
caller's identity: a partner placing orders needs ``customers:read`` as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false
from sqlalchemy.orm import InstrumentedAttribute

from subgraphs.common.errors import Forbidden
from subgraphs.common.identity import CallerIdentity, current_identity
from subgraphs.common.ids import format_id, parse_key

__all__ = [
    "CUSTOMER_PROFILES",
    "CUSTOMER_UPDATES",
    "ORDER_CHANGES",
    "ORDER_READS",
    "RECOMMENDATIONS",
    "CustomerRows",
    "Forbidden",
    "owned_customer",
]

CUSTOMER_SCOPE = "customer"
STAFF_SCOPE = "staff"


def owned_customer(identity: CallerIdentity) -> int | None:
    """The customer id the caller is (a ``user`` token with scope ``customer`` whose
    subject is that id exactly as ``Customer.id`` prints it), or None."""
    if identity.kind != "user" or CUSTOMER_SCOPE not in identity.scopes:
        return None
    subject = identity.subject or ""
    key = parse_key(subject)
    return key if key is not None and format_id(key) == subject else None


@dataclass(frozen=True, slots=True)
class CustomerRows:
    """Rows of one kind that belong to a customer (a profile, orders, recommendations);
    ``scope`` opens every customer's rows of that kind (as ``staff`` does)."""

    scope: str

    def sees_all(self, identity: CallerIdentity) -> bool:
        return identity.has_scope(STAFF_SCOPE) or identity.has_scope(self.scope)

    def customer_ids(self, identity: CallerIdentity | None = None) -> frozenset[int] | None:
        """The customers whose rows the caller may touch: None for all, else a set (empty
        for a caller who owns none)."""
        identity = current_identity() if identity is None else identity
        if self.sees_all(identity):
            return None
        owned = owned_customer(identity)
        return frozenset() if owned is None else frozenset({owned})

    def check(
        self, customer_id: int | None, doing: str, identity: CallerIdentity | None = None
    ) -> None:
        """FORBIDDEN ("Not allowed to ``doing``") unless the caller may touch the rows of
        ``customer_id``. ``None`` is a row that does not exist: nothing to protect from a
        caller who sees all (it gets null), FORBIDDEN for anyone else, so that a customer
        cannot tell another's order from a missing one."""
        allowed = self.customer_ids(identity)
        if allowed is None or customer_id in allowed:
            return
        raise Forbidden(f"Not allowed to {doing}")

    def check_all(self, doing: str, identity: CallerIdentity | None = None) -> None:
        """FORBIDDEN unless the caller may touch every customer's rows (for changes no
        customer may make even to its own rows, e.g. moving an order to PAID)."""
        if not self.sees_all(current_identity() if identity is None else identity):
            raise Forbidden(f"Not allowed to {doing}")

    def restrict(
        self,
        statement: Select[Any],
        column: ColumnElement[Any] | InstrumentedAttribute[Any],
        identity: CallerIdentity | None = None,
    ) -> Select[Any]:
        """``statement`` limited, in SQL, to rows whose ``column`` (a customer id) the
        caller may see."""
        allowed = self.customer_ids(identity)
        if allowed is None:
            return statement
        if not allowed:
            return statement.where(false())
        return statement.where(column.in_(sorted(allowed)))


CUSTOMER_PROFILES = CustomerRows("customers:read")
CUSTOMER_UPDATES = CustomerRows("customers:write")
ORDER_READS = CustomerRows("orders:read")
ORDER_CHANGES = CustomerRows("orders:write")
RECOMMENDATIONS = CustomerRows("marketing:read")
