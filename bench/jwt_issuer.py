"""A throw-away identity provider for a run: an RSA key, its JWKS file, RS256 bearer tokens.

The router verifies the tokens as it would a real provider's (``authentication.jwt`` with
``jwks.file``, ``issuer``, ``audiences``, ``algorithms: [RS256]``); the key exists only in
the run's temporary directory.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

__all__ = ["BENCH_AUDIENCE", "BENCH_ISSUER", "JwtIssuer"]

BENCH_ISSUER = "https://bench.invalid/"
BENCH_AUDIENCE = "ops-platform"


@dataclass(frozen=True, slots=True)
class JwtIssuer:
    private_key: rsa.RSAPrivateKey
    kid: str = "bench-1"
    issuer: str = BENCH_ISSUER
    audience: str = BENCH_AUDIENCE

    @classmethod
    def generate(cls) -> JwtIssuer:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwks(self) -> dict[str, Any]:
        public = orjson.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def write_jwks(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(self.jwks()))
        return path

    def jwt_config(self, jwks_file: Path) -> dict[str, Any]:
        """``authentication.jwt`` of router.yaml for tokens of this issuer."""
        return {
            "jwks": {"file": str(jwks_file)},
            "issuer": self.issuer,
            "audiences": [self.audience],
            "algorithms": ["RS256"],
        }

    def token(self, subject: str, scopes: Iterable[str], *, lifetime_seconds: int = 3600) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "scope": " ".join(scopes),
            "iat": now,
            "exp": now + lifetime_seconds,
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})
