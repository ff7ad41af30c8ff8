"""platform_cli.dev_credentials: the dev platform's tokens verify through its security."""

from __future__ import annotations

import pytest

from platform_cli.dev_credentials import (
    DEFAULT_DEV_SECRET,
    DEV_SECRET_VARIABLE,
    SCOPE_CATALOGUE,
    DevCredentials,
    dev_security,
)
from router.security.bearer import InvalidCredential
from router.security.identity import IdentityKind

CREDENTIALS = DevCredentials(secret="a-secret-for-these-tests-only-0123456789")


async def _identify(token: str, credentials: DevCredentials = CREDENTIALS) -> object:
    security = dev_security(credentials, environ={})
    return await security.authenticator.identify([(b"authorization", f"Bearer {token}".encode())])


async def test_the_staff_token_holds_every_scope_but_customer() -> None:
    identity = await _identify(CREDENTIALS.staff_token())
    assert getattr(identity, "kind", None) is IdentityKind.USER
    assert getattr(identity, "scopes", None) == set(SCOPE_CATALOGUE) - {"customer"}


async def test_a_customer_token_is_that_customer() -> None:
    identity = await _identify(CREDENTIALS.customer_token(42))
    assert (getattr(identity, "subject", None), getattr(identity, "scopes", None)) == (
        "42",
        {"customer"},
    )


async def test_a_token_of_another_secret_is_refused() -> None:
    other = DevCredentials(secret="another-secret-for-these-tests-0123456789")
    with pytest.raises(InvalidCredential):
        await _identify(other.staff_token())


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEV_SECRET_VARIABLE, raising=False)
    assert DevCredentials().secret == DEFAULT_DEV_SECRET
    monkeypatch.setenv(DEV_SECRET_VARIABLE, "from-the-environment-0123456789abcdef")
    assert DevCredentials().secret == "from-the-environment-0123456789abcdef"


def test_the_router_signs_identities_only_with_a_secret() -> None:
    assert dev_security(CREDENTIALS, environ={}).signer is None
    environ = {"ROUTER_IDENTITY_SECRET": "identity-secret-for-tests-0123456789"}
    assert dev_security(CREDENTIALS, environ=environ).signer is not None
