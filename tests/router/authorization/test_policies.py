"""router.authorization.policies: the default hook and loading a configured one."""

from __future__ import annotations

import pytest

from router.authorization.authorizer import Authorizer
from router.authorization.needs import Needs
from router.authorization.policies import CUSTOMER_BULK_READ, default_policies, load_policy_hook
from router.security.identity import Identity, IdentityKind
from tests.router.authorization.test_filter import REQUIREMENTS

ASKED = frozenset({CUSTOMER_BULK_READ, "unknown_policy"})


@pytest.mark.parametrize(
    ("identity", "granted"),
    [
        (Identity(IdentityKind.USER, "1", scopes=frozenset({"staff"})), {CUSTOMER_BULK_READ}),
        (
            Identity(IdentityKind.PARTNER, None, "crm", frozenset({"customers:read"})),
            {CUSTOMER_BULK_READ},
        ),
        (Identity(IdentityKind.USER, "1", scopes=frozenset({"customers:read"})), set()),
        (Identity(IdentityKind.PARTNER, None, "shop", frozenset({"orders:read"})), set()),
        (Identity(IdentityKind.ANONYMOUS), set()),
    ],
)
def test_the_default_hook(identity: Identity, granted: set[str]) -> None:
    assert default_policies(identity, ASKED) == granted


def test_a_hook_is_named_package_module_function() -> None:
    assert load_policy_hook("router.authorization.policies:default_policies") is default_policies
    for bad in ("router.authorization.policies", "no.such.module:f", "json:nothing"):
        with pytest.raises(ValueError):
            load_policy_hook(bad)


def _raising(identity: Identity, policies: frozenset[str]) -> set[str]:
    raise RuntimeError("the policy service is down")


def _greedy(identity: Identity, policies: frozenset[str]) -> set[str]:
    return {"reports", "something_never_asked"}


def test_a_failing_hook_denies_and_a_hook_grants_only_what_was_asked() -> None:
    needs = Needs(True, frozenset(), frozenset({"reports"}), True)
    staff = Identity(IdentityKind.USER, "1", scopes=frozenset({"staff"}))
    failing = Authorizer(REQUIREMENTS, hook=_raising).grant(needs, staff)
    assert failing is not None and failing.policies == frozenset()
    greedy = Authorizer(REQUIREMENTS, hook=_greedy).grant(needs, staff)
    assert greedy is not None and greedy.policies == {"reports"}
