"""The security sections of ``router.yaml``: ``authentication``, ``api_keys`` and
``identity_propagation`` (loaded by :mod:`router.config`).

Cross-field rules live on the models, so an invalid combination (HS256 without a secret,
asymmetric algorithms without a JWKS, a JWKS with both a file and a URL) is a start-up
error naming the key, never a request-time surprise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "ApiKeysConfig",
    "AuthenticationConfig",
    "IdentityPropagationConfig",
    "JWKSConfig",
    "JWTConfig",
]

# Signature algorithms verified against a JWKS; HS256 is separate (a shared secret).
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
Algorithm = Literal["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "HS256"]
_MIN_SECRET_BYTES = 32


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_secret(secret: SecretStr | None, key: str) -> None:
    if secret is not None and len(secret.get_secret_value().encode()) < _MIN_SECRET_BYTES:
        raise ValueError(f"{key} must be at least {_MIN_SECRET_BYTES} bytes long")


class JWKSConfig(_Section):
    """Where the signing keys come from: a local file, or a URL fetched and cached."""

    file: Path | None = None
    url: HttpUrl | None = None
    refresh_seconds: float = Field(default=300.0, gt=0)
    # A token with an unknown ``kid`` triggers an early refresh at most this often.
    min_refresh_seconds: float = Field(default=10.0, ge=0)
    fetch_timeout_seconds: float = Field(default=5.0, gt=0)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.file is None) == (self.url is None):
            raise ValueError("give exactly one of file and url")
        return self


class JWTConfig(_Section):
    """Bearer tokens: signature, ``exp``/``nbf`` (with ``leeway_seconds``), ``iss``, ``aud``."""

    jwks: JWKSConfig | None = None
    issuer: str | None = None
    audiences: tuple[str, ...] = ()
    algorithms: tuple[Algorithm, ...] = ("RS256", "ES256")
    leeway_seconds: float = Field(default=30.0, ge=0, le=300)
    allow_hs256: bool = False  # development only
    # A verified token is reused this long without checking its signature again (its exp
    # still applies); a key withdrawn from the JWKS stops verifying within this time.
    cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    hs256_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.algorithms:
            raise ValueError("algorithms must name at least one algorithm")
        if "HS256" in self.algorithms:
            if not self.allow_hs256:
                raise ValueError("HS256 in algorithms needs allow_hs256: true (development only)")
            if self.hs256_secret is None:
                raise ValueError("allow_hs256 needs hs256_secret")
        _check_secret(self.hs256_secret, "hs256_secret")
        if any(a != "HS256" for a in self.algorithms) and self.jwks is None:
            raise ValueError("asymmetric algorithms need jwks (a file or a url)")
        return self


class AuthenticationConfig(_Section):
    jwt: JWTConfig | None = None


class ApiKeysConfig(_Section):
    """Partner API keys in the database (``database_url``: default ``DATABASE_URL``)."""

    enabled: bool = False
    database_url: str | None = None
    # How long a lookup is reused: a revocation reaches every replica within this time.
    cache_seconds: float = Field(default=5.0, ge=0, le=60)


class IdentityPropagationConfig(_Section):
    """The signed identity header the router sends to every subgraph request."""

    header: str = Field(default="x-router-identity", pattern=r"^[A-Za-z0-9-]+$")
    secret: SecretStr | None = None
    ttl_seconds: float = Field(default=60.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _strong_secret(self) -> Self:
        _check_secret(self.secret, "secret")
        return self
