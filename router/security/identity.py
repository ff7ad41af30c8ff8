"""The caller's verified identity, and the signed header that carries it to subgraphs.

The header is a short-lived JWT signed by the router with HS256 and a secret it shares with
the subgraphs (``identity_propagation.secret``); :mod:`subgraphs.common.identity` verifies it.
Its claims: ``sub`` (subject, absent when anonymous), ``client_id``, ``scope``
(space-separated), ``kind`` (``anonymous`` | ``user`` | ``partner``), ``iss``/``aud``
(fixed, so a token meant for anything else is refused), ``iat`` and ``exp``. Anonymous
callers get a signed header too: in production a subgraph tells "the router vouches this is
anonymous" from "someone bypassed the router".

Signing costs ~20 µs, so a token is reused per identity for a fraction of its lifetime.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

__all__ = [
    "ANONYMOUS",
    "IDENTITY_AUDIENCE",
    "IDENTITY_ISSUER",
    "Identity",
    "IdentityKind",
    "IdentitySigner",
    "RateQuota",
]

IDENTITY_ISSUER = "ops-router"
IDENTITY_AUDIENCE = "ops-subgraphs"
_MAX_CACHED_TOKENS = 4096


class IdentityKind(StrEnum):
    ANONYMOUS = "anonymous"
    USER = "user"  # a JWT bearer token
    PARTNER = "partner"  # a partner API key


@dataclass(frozen=True, slots=True)
class RateQuota:
    """A credential's own rate limit: a bucket of ``capacity`` tokens (the burst) that
    regains ``refill_per_second``; it wins over ``router.yaml``'s ``rate_limits``."""

    capacity: int
    refill_per_second: float

    def __str__(self) -> str:
        return f"{self.refill_per_second:g}/s (burst {self.capacity})"


@dataclass(frozen=True, slots=True)
class Identity:
    kind: IdentityKind
    subject: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()
    expires_at: float | None = None  # of the credential, seconds since the epoch
    rate_quota: RateQuota | None = None  # the credential's own rate limit (API keys)


ANONYMOUS = Identity(IdentityKind.ANONYMOUS)


class IdentitySigner:
    """Signs identities for the subgraph requests of one router (thread-unsafe, asyncio only)."""

    def __init__(self, secret: str, ttl_seconds: float = 60.0) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._cache: dict[Identity, tuple[str, float]] = {}

    def sign(self, identity: Identity, now: float | None = None) -> str:
        """A token for ``identity``; it never outlives the credential it came from."""
        now = time.time() if now is None else now
        cached = self._cache.get(identity)
        if cached is not None and now < cached[1]:
            return cached[0]
        expires = now + self._ttl
        if identity.expires_at is not None:
            expires = min(expires, identity.expires_at)
        claims: dict[str, object] = {
            "iss": IDENTITY_ISSUER,
            "aud": IDENTITY_AUDIENCE,
            "iat": int(now),
            "exp": int(expires),
            "kind": identity.kind.value,
            "scope": " ".join(sorted(identity.scopes)),
        }
        if identity.subject is not None:
            claims["sub"] = identity.subject
        if identity.client_id is not None:
            claims["client_id"] = identity.client_id
        token = jwt.encode(claims, self._secret, algorithm="HS256")
        if len(self._cache) >= _MAX_CACHED_TOKENS:
            self._cache.clear()
        # reused for at most half its life, so a subgraph never gets one about to expire
        self._cache[identity] = (token, now + (expires - now) / 2)
        return token
