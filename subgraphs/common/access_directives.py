"""The router-level access rules of every domain, as federation directives
(``@authenticated``, ``@requiresScopes``, ``@policy``; /work/notes/access-model.md, rendered
for readers in ``docs/access.md``).

Each constant is a ``directives=[...]`` list for a Strawberry type or field. The router
enforces them before planning (:mod:`router.authorization`); the subgraphs add their
row-level rules on top. Outer lists are OR, inner lists AND. A requirement on a type
applies to every field returning it, so a mutation returning a protected type needs the
read requirement of that type too (a key that writes orders must be able to read them).
"""

from __future__ import annotations

from typing import Any

from strawberry.federation.schema_directives import Authenticated, Policy, RequiresScopes

__all__ = [
    "AUTHENTICATED",
    "BULK_CUSTOMERS_READ",
    "CATALOG_WRITE",
    "CUSTOMERS_READ",
    "CUSTOMERS_WRITE",
    "CUSTOMER_UPDATE",
    "GDPR_MANAGE",
    "INVENTORY_READ",
    "INVENTORY_WRITE",
    "MARKETING_READ",
    "MARKETING_WRITE",
    "ORDERS_READ",
    "ORDERS_STATUS_WRITE",
    "ORDERS_WRITE",
    "RECOMMENDATIONS_READ",
    "REDEEM_COUPON",
]


def _scopes(*alternatives: list[str]) -> list[Any]:
    return [RequiresScopes(scopes=list(alternatives))]


AUTHENTICATED: list[Any] = [Authenticated()]

# customer-owned reads: staff, a partner key with the domain's read scope, or a customer
# (whose own rows the subgraph filters)
CUSTOMERS_READ = _scopes(["staff"], ["customers:read"], ["customer"])
ORDERS_READ = _scopes(["staff"], ["orders:read"], ["customer"])
RECOMMENDATIONS_READ = _scopes(["staff"], ["marketing:read"], ["customer"])

# bulk / back-office reads; listing the customer base also needs the policy
# ``customer_bulk_read`` (granted by router.authorization.default_policies to staff and to
# partner keys with customers:read: a user token is never a bulk reader)
BULK_CUSTOMERS_READ = [
    *_scopes(["staff"], ["customers:read"]),
    Policy(policies=[["customer_bulk_read"]]),
]
INVENTORY_READ = _scopes(["staff"], ["inventory:read"])
MARKETING_READ = _scopes(["staff"], ["marketing:read"])

# writes
CUSTOMERS_WRITE = _scopes(["staff"], ["customers:write"])
CUSTOMER_UPDATE = _scopes(["staff"], ["customers:write"], ["customer"])
ORDERS_WRITE = _scopes(["staff"], ["orders:write"], ["customer"])
ORDERS_STATUS_WRITE = _scopes(["staff"], ["orders:write"])
INVENTORY_WRITE = _scopes(["staff"], ["inventory:write"])
CATALOG_WRITE = _scopes(["staff"], ["catalog:write"])
MARKETING_WRITE = _scopes(["staff"], ["marketing:write"])
REDEEM_COUPON = _scopes(["staff"], ["marketing:write"], ["customer"])

# personal data rights (export, erasure and its requests): only gdpr:manage, not implied by staff
GDPR_MANAGE = _scopes(["gdpr:manage"])
