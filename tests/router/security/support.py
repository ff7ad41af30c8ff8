"""Keys, tokens and a one-subgraph router for the security tests (no network: keys are
generated with ``cryptography``, subgraphs run in-process)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import strawberry
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

from router.config import RouterConfig, parse_config
from router.pipeline import Router
from router.security.middleware import security_from_config
from router.server import create_app
from subgraphs.common.identity import IdentityMiddleware, IdentityVerifier, current_identity

__all__ = [
    "AUDIENCE",
    "IDENTITY_SECRET",
    "ISSUER",
    "CountingApp",
    "SigningKeys",
    "WhoamiQuery",
    "jwks_of",
    "mint",
    "router_client",
    "whoami_subgraph",
]

ISSUER = "https://id.example.test/"
AUDIENCE = "ops-platform"
IDENTITY_SECRET = "router-identity-secret-for-tests-0123456789"
WHOAMI_QUERY = "{ whoami }"

WHOAMI_SUPERGRAPH = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{ query: Query }

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet,
  type: String, external: Boolean, override: String, usedOverridden: Boolean)
  repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true, isInterfaceObject: Boolean! = false)
  repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { WHOAMI @join__graph(name: "whoami", url: "http://whoami.test/graphql") }

type Query @join__type(graph: WHOAMI) { whoami: String! }
"""


class SigningKeys:
    """An RSA and a P-256 key pair with their public JWKS entries."""

    def __init__(self, suffix: str = "1") -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.rsa_kid = f"rsa-{suffix}"
        self.ec_kid = f"ec-{suffix}"

    def jwks_entries(self) -> list[dict[str, Any]]:
        rsa_entry = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key()))
        ec_entry = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key()))
        return [
            {**rsa_entry, "kid": self.rsa_kid, "use": "sig", "alg": "RS256"},
            {**ec_entry, "kid": self.ec_kid, "use": "sig", "alg": "ES256"},
        ]

    def rs256(self, **claims: Any) -> str:
        return mint(claims, self.rsa, "RS256", self.rsa_kid)

    def es256(self, **claims: Any) -> str:
        return mint(claims, self.ec, "ES256", self.ec_kid)


def jwks_of(*keys: SigningKeys) -> dict[str, Any]:
    return {"keys": [entry for key in keys for entry in key.jwks_entries()]}


def mint(claims: dict[str, Any], key: Any, algorithm: str, kid: str | None = None) -> str:
    """A token with good defaults (``iss``, ``aud``, ``sub``, ``exp`` in 5 minutes)."""
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "customer-42", "iat": now, "exp": now + 300}
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    headers = {"kid": kid} if kid else None
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def write_jwks(path: Path, *keys: SigningKeys) -> Path:
    path.write_text(json.dumps(jwks_of(*keys)), encoding="utf-8")
    return path


@strawberry.type
class WhoamiQuery:
    @strawberry.field
    def whoami(self) -> str:
        identity = current_identity()
        return json.dumps(
            {
                "kind": identity.kind,
                "subject": identity.subject,
                "client_id": identity.client_id,
                "scopes": sorted(identity.scopes),
            }
        )


class CountingApp:
    """An ASGI app that records the headers of each request before passing it on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests.append({n.decode(): v.decode() for n, v in scope["headers"]})
        await self.app(scope, receive, send)


def whoami_subgraph(
    *, production: bool = True, secret: str | None = IDENTITY_SECRET
) -> CountingApp:
    """The subgraph, behind the identity check of subgraphs.common, counting what reaches it."""
    app = GraphQL(Schema(query=WhoamiQuery), graphql_ide=None)
    return CountingApp(IdentityMiddleware(app, IdentityVerifier(secret, production=production)))


def config_text(jwks_file: Path | None = None, **sections: str) -> str:
    """A router.yaml with JWT (when ``jwks_file``) and identity propagation, plus ``sections``."""
    text = f"identity_propagation:\n  secret: {IDENTITY_SECRET}\n"
    if jwks_file is not None:
        text += (
            "authentication:\n  jwt:\n"
            f"    jwks: {{file: {jwks_file}}}\n"
            f"    issuer: {ISSUER}\n"
            f"    audiences: [{AUDIENCE}]\n"
            "    algorithms: [RS256, ES256]\n"
            "    leeway_seconds: 30\n"
        )
    return text + "".join(sections.values())


@asynccontextmanager
async def router_client(
    config: RouterConfig | str, subgraph: ASGIApp, *, startup: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the router app over ``subgraph`` (its lifespan run unless ``startup`` is
    false: a key database that cannot be reached would stop the start-up)."""
    if isinstance(config, str):
        config = parse_config(config)
    router = Router.from_supergraph_sdl(WHOAMI_SUPERGRAPH, transport=httpx.ASGITransport(subgraph))
    security = security_from_config(config, environ={})
    app = create_app(router, security=security)
    lifespan = app.router.lifespan_context(app) if startup else contextlib.nullcontext()
    try:
        async with (
            lifespan,
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://router") as c,
        ):
            yield c
    finally:
        if not startup:
            await security.aclose()
            await router.aclose()
