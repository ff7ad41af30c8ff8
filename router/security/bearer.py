"""JWT bearer tokens, verified with PyJWT against a JWKS (file or URL) or, in development
only, an HS256 secret.

Defences beyond PyJWT's claim checks: the header's ``alg`` must be one the config allows
(so ``none`` never is); the key is chosen by ``kid`` and must be of the algorithm's family
(an RSA key never verifies ES256, a JWKS ``oct`` key is never used, and the HS256 secret is
the only HMAC key), which rules out algorithm confusion; ``exp`` is always required, ``iss``
and ``aud`` whenever configured. Every failure is the same :class:`InvalidCredential`: the
HTTP answer must not tell an attacker which check failed.

A JWKS URL is fetched on first use and again every ``refresh_seconds``; a token with an
unknown ``kid`` triggers an early refresh at most every ``min_refresh_seconds`` (keys
rotate without a restart, and garbage ``kid`` values cannot make the router hammer the
identity provider). A failed refresh keeps the keys it had.

Verifying a signature costs ~0.5 ms here (PyJWT's decoding dominates, not the RSA math),
and a front end sends the same token on every request, so a verified token is reused for
``cache_seconds`` (and never past its ``exp``); failures are never cached.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import orjson

from router.security.config import JWKSConfig, JWTConfig
from router.security.identity import Identity, IdentityKind

__all__ = ["BearerVerifier", "InvalidCredential", "JWKSource", "SigningKey", "parse_jwks"]

_logger = logging.getLogger(__name__)
_MAX_TOKEN_BYTES = 8192
_MAX_CACHED_TOKENS = 10_000
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
_CURVES = {"ES256": "P-256", "ES384": "P-384"}


class InvalidCredential(Exception):
    """The credential is not acceptable; ``reason`` is for the log, never for the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One verification key of a JWKS, with the members that decide which tokens it fits."""

    kid: str | None
    kty: str
    crv: str | None
    alg: str | None
    key: Any  # a cryptography public key

    def fits(self, kid: str | None, algorithm: str) -> bool:
        if kid is not None and self.kid != kid:
            return False
        if self.kty != _KEY_TYPES.get(algorithm[:2]):
            return False
        if algorithm in _CURVES and self.crv != _CURVES[algorithm]:
            return False
        return self.alg in (None, algorithm)


def parse_jwks(document: Any) -> tuple[SigningKey, ...]:
    """The usable signature keys of a JWKS document (``oct`` and non-``sig`` keys skipped)."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError('a JWKS is a JSON object with a "keys" list')
    keys = []
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC"):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            parsed = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            _logger.warning("skipping an unusable JWKS key (kid %r)", entry.get("kid"))
            continue
        keys.append(
            SigningKey(
                _string(entry.get("kid")),
                entry["kty"],
                _string(entry.get("crv")),
                _string(entry.get("alg")),
                parsed.key,
            )
        )
    return tuple(keys)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class JWKSource:
    """The current signing keys of a JWKS file or URL."""

    def __init__(
        self,
        config: JWKSConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._transport = transport
        self._clock = clock
        self._keys: tuple[SigningKey, ...] = ()
        self._fetched_at: float | None = None
        self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0
        if config.file is not None:  # a bad file is a start-up error
            self._keys = self._read_file()
            self._fetched_at = clock()

    async def find(self, kid: str | None, algorithm: str) -> SigningKey | None:
        """The key for a token's ``kid`` and ``alg`` (without a ``kid``: the only fitting key)."""
        now = self._clock()
        # never more than one attempt per min_refresh_seconds, even while the URL fails
        may_refresh = now - self._attempted_at >= self._config.min_refresh_seconds
        due = self._fetched_at is None or now - self._fetched_at >= self._config.refresh_seconds
        if due and may_refresh:
            await self._refresh(now)
            may_refresh = False
        key = self._match(kid, algorithm)
        if key is None and may_refresh:
            await self._refresh(now)
            key = self._match(kid, algorithm)
        return key

    def _match(self, kid: str | None, algorithm: str) -> SigningKey | None:
        fitting = [key for key in self._keys if key.fits(kid, algorithm)]
        return fitting[0] if len(fitting) == 1 else None

    async def _refresh(self, now: float) -> None:
        async with self._lock:
            if self._attempted_at >= now:  # another request refreshed meanwhile
                return
            self._attempted_at = self._clock()
            try:
                keys = self._read_file() if self._config.file else await self._fetch()
            except (OSError, ValueError, httpx.HTTPError) as error:
                _logger.warning(
                    "could not refresh the JWKS: %s (keeping %d keys)", error, len(self._keys)
                )
                return
            self._keys, self._fetched_at = keys, self._clock()

    def _read_file(self) -> tuple[SigningKey, ...]:
        assert self._config.file is not None
        try:
            return parse_jwks(orjson.loads(self._config.file.read_bytes()))
        except orjson.JSONDecodeError as error:
            raise ValueError(f"{self._config.file}: not JSON: {error}") from None

    async def _fetch(self) -> tuple[SigningKey, ...]:
        self.fetches += 1
        timeout = self._config.fetch_timeout_seconds
        async with httpx.AsyncClient(transport=self._transport, timeout=timeout) as client:
            response = await client.get(str(self._config.url))
            response.raise_for_status()
        try:
            return parse_jwks(orjson.loads(response.content))
        except orjson.JSONDecodeError as error:
            raise ValueError(f"the JWKS at {self._config.url} is not JSON: {error}") from None


class BearerVerifier:
    """Turns a bearer token into an :class:`Identity` or raises :class:`InvalidCredential`."""

    def __init__(
        self,
        config: JWTConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._wall_clock = wall_clock
        self._verified: dict[str, tuple[Identity, float]] = {}
        self.verifications = 0  # signatures checked (cache misses)
        self._keys = (
            JWKSource(config.jwks, transport=transport, clock=clock) if config.jwks else None
        )
        self._secret = config.hs256_secret.get_secret_value() if config.hs256_secret else None
        required = ["exp"]
        if config.issuer is not None:
            required.append("iss")
        if config.audiences:
            required.append("aud")
        self._options: dict[str, Any] = {"require": required, "verify_aud": bool(config.audiences)}

    @property
    def key_source(self) -> JWKSource | None:
        return self._keys

    async def verify(self, token: str) -> Identity:
        cached = self._verified.get(token)
        if cached is not None:
            identity, reuse_until = cached
            now = self._wall_clock()
            assert identity.expires_at is not None
            if now >= identity.expires_at + self._config.leeway_seconds:
                del self._verified[token]
                raise InvalidCredential("expired (cached)")
            if now < reuse_until:
                return identity
            del self._verified[token]
        identity = await self._verify(token)
        if self._config.cache_seconds > 0:
            if len(self._verified) >= _MAX_CACHED_TOKENS:
                del self._verified[next(iter(self._verified))]  # the oldest
            reuse_until = self._wall_clock() + self._config.cache_seconds
            self._verified[token] = (identity, reuse_until)
        return identity

    async def _verify(self, token: str) -> Identity:
        self.verifications += 1
        if len(token) > _MAX_TOKEN_BYTES:
            raise InvalidCredential("token too long")
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidCredential(f"malformed token: {error}") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self._config.algorithms:
            raise InvalidCredential(f"algorithm {algorithm!r} not allowed")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidCredential("kid is not a string")
        key = await self._key(algorithm, kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=list(self._config.audiences) or None,
                issuer=self._config.issuer,
                leeway=self._config.leeway_seconds,
                options=self._options,  # type: ignore[arg-type]
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidCredential(f"rejected token: {error}") from None
        return _identity(claims)

    async def _key(self, algorithm: str, kid: str | None) -> Any:
        if algorithm == "HS256":
            if self._secret is None:
                raise InvalidCredential("HS256 without a secret")
            return self._secret
        found = await self._keys.find(kid, algorithm) if self._keys else None
        if found is None:
            raise InvalidCredential(f"no {algorithm} key for kid {kid!r}")
        return found.key


def _identity(claims: Mapping[str, Any]) -> Identity:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidCredential("no subject")
    client_id = claims.get("client_id", claims.get("azp"))
    return Identity(
        IdentityKind.USER,
        subject=subject,
        client_id=client_id if isinstance(client_id, str) else None,
        scopes=_scopes(claims.get("scope", claims.get("scp"))),
        expires_at=float(claims["exp"]),
    )


def _scopes(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    return frozenset()
