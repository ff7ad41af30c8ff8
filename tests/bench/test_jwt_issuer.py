from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.jwt_issuer import JwtIssuer
from router.security.bearer import BearerVerifier, InvalidCredential
from router.security.config import JWTConfig
from router.security.identity import IdentityKind


def _verifier(issuer: JwtIssuer, jwks: Path) -> BearerVerifier:
    return BearerVerifier(JWTConfig.model_validate(issuer.jwt_config(jwks)))


def test_the_router_verifies_its_tokens_against_the_jwks_file(tmp_path: Path) -> None:
    issuer = JwtIssuer.generate()
    verifier = _verifier(issuer, issuer.write_jwks(tmp_path / "jwks.json"))
    identity = asyncio.run(verifier.verify(issuer.token("bench-staff", ("staff", "orders:read"))))
    assert identity.kind is IdentityKind.USER
    assert identity.subject == "bench-staff"
    assert identity.scopes == frozenset({"staff", "orders:read"})


def test_a_token_of_another_key_is_refused(tmp_path: Path) -> None:
    issuer = JwtIssuer.generate()
    verifier = _verifier(issuer, issuer.write_jwks(tmp_path / "jwks.json"))
    stranger = JwtIssuer.generate()
    with pytest.raises(InvalidCredential):
        asyncio.run(verifier.verify(stranger.token("bench-staff", ("staff",))))
