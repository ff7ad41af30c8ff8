"""Credentials of the development platform: HS256 bearer tokens signed with a secret of the
process, for ``make demo``, the benchmark and the test harness.

The router's authorization directives are always enforced, so a development router needs
callers with scopes: :func:`dev_security` verifies these tokens (HS256, development only;
production uses a JWKS), and :class:`DevCredentials` mints them: a staff token with every
scope of the catalogue, and customer tokens (``python -m platform_cli token staff``).

The secret is ``PLATFORM_DEV_JWT_SECRET`` when set, else a fixed development secret, so a
script can mint tokens for a running demo. Anyone can mint those: the dev platform is for
one machine (it binds 127.0.0.1); ``python -m router serve`` never uses this module.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import jwt
from pydantic import SecretStr

from router.security.bearer import BearerVerifier
from router.security.config import JWTConfig
from router.security.credentials import Authenticator
from router.security.identity import Identity, IdentityKind, IdentitySigner
from router.security.middleware import RouterSecurity

__all__ = [
    "DEFAULT_DEV_SECRET",
    "DEV_AUDIENCE",
    "DEV_ISSUER",
    "DEV_SECRET_VARIABLE",
    "SCOPE_CATALOGUE",
    "STAFF_IDENTITY",
    "DevCredentials",
    "dev_security",
]

DEV_SECRET_VARIABLE = "PLATFORM_DEV_JWT_SECRET"
DEFAULT_DEV_SECRET = "ops-platform-development-only-hs256-secret"
DEV_ISSUER = "ops-platform-dev"
DEV_AUDIENCE = "ops-platform"
# every scope of the access model (docs/access.md)
SCOPE_CATALOGUE = (
    "staff",
    "customer",
    "catalog:write",
    "inventory:read",
    "inventory:write",
    "customers:read",
    "customers:write",
    "orders:read",
    "orders:write",
    "marketing:read",
    "marketing:write",
    "pii:read",
    "audit:read",
    "gdpr:manage",
)
# the identity a staff token of these credentials verifies to (for in-process callers)
STAFF_IDENTITY = Identity(
    IdentityKind.USER, subject="dev-staff", scopes=frozenset(set(SCOPE_CATALOGUE) - {"customer"})
)


@dataclass(frozen=True, slots=True)
class DevCredentials:
    secret: str = field(
        default_factory=lambda: os.environ.get(DEV_SECRET_VARIABLE) or DEFAULT_DEV_SECRET
    )

    def token(self, subject: str, scopes: Iterable[str], ttl_seconds: float = 86400.0) -> str:
        now = int(time.time())
        claims = {
            "iss": DEV_ISSUER,
            "aud": DEV_AUDIENCE,
            "sub": subject,
            "scope": " ".join(scopes),
            "iat": now,
            "exp": now + int(ttl_seconds),
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def staff_token(self, ttl_seconds: float = 86400.0) -> str:
        """Staff with every scope of the catalogue but ``customer``."""
        assert STAFF_IDENTITY.subject is not None
        return self.token(STAFF_IDENTITY.subject, sorted(STAFF_IDENTITY.scopes), ttl_seconds)

    def customer_token(self, customer_id: int | str, ttl_seconds: float = 86400.0) -> str:
        return self.token(str(customer_id), ["customer"], ttl_seconds)

    def jwt_config(self) -> JWTConfig:
        return JWTConfig(
            issuer=DEV_ISSUER,
            audiences=(DEV_AUDIENCE,),
            algorithms=("HS256",),
            allow_hs256=True,
            hs256_secret=SecretStr(self.secret),
        )


def dev_security(
    credentials: DevCredentials, environ: Mapping[str, str] | None = None
) -> RouterSecurity:
    """The router's security for the development platform: its HS256 tokens, no API keys.
    With ``ROUTER_IDENTITY_SECRET`` set the router signs each caller's identity for the
    subgraphs (which then apply their row rules: a customer token sees its own rows);
    without it they serve development callers (every row)."""
    environ = os.environ if environ is None else environ
    secret = environ.get("ROUTER_IDENTITY_SECRET")
    signer = IdentitySigner(secret) if secret else None
    return RouterSecurity(Authenticator(BearerVerifier(credentials.jwt_config()), None), signer)
