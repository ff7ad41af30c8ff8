"""The policy hook: who is granted the ``@policy`` names an operation involves.

``router.yaml``'s ``authorization.policy_hook`` names a Python callable as
``package.module:function``. The router calls it for each request whose operation mentions
policies, with the caller's :class:`~router.security.identity.Identity` and the set of
policy names the operation involves; it returns the names it grants (any others are
denied). It runs on the event loop for every such request, so it must be fast and must not
block (decide from the identity's claims; cache anything slower yourself). An exception
denies every policy of that request and is logged.

:func:`default_policies` is the hook used when none is configured.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Set

from router.security.identity import Identity, IdentityKind

__all__ = ["CUSTOMER_BULK_READ", "PolicyHook", "default_policies", "load_policy_hook"]

PolicyHook = Callable[[Identity, frozenset[str]], Set[str]]

# Query.customers: listing the customer base is for staff and for partner integrations
# whose key carries customers:read; a user token with customers:read (not staff) is not a
# bulk reader, whatever else it may read one customer at a time.
CUSTOMER_BULK_READ = "customer_bulk_read"


def default_policies(identity: Identity, policies: frozenset[str]) -> frozenset[str]:
    granted: set[str] = set()
    if CUSTOMER_BULK_READ in policies and (
        "staff" in identity.scopes
        or (identity.kind is IdentityKind.PARTNER and "customers:read" in identity.scopes)
    ):
        granted.add(CUSTOMER_BULK_READ)
    return frozenset(granted)


def load_policy_hook(reference: str) -> PolicyHook:
    """Import ``package.module:function``; ValueError naming what is wrong."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"{reference!r}: expected package.module:function")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"{reference!r}: cannot import {module_name}: {error}") from None
    hook = getattr(module, attribute, None)
    if not callable(hook):
        raise ValueError(f"{reference!r}: {module_name} has no callable {attribute}")
    return hook  # type: ignore[no-any-return]
