"""The identity the router vouches for, as subgraphs see it: signed, unforgeable, and the
client's own copy of the header is never passed on."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import httpx
import jwt
import pytest
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from models.database import Database
from router.config import parse_config
from router.security.identity import ANONYMOUS, Identity, IdentityKind, IdentitySigner
from router.security.middleware import security_from_config
from router.subgraph_client import SUBGRAPH_REQUEST_HEADERS
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.identity import (
    IDENTITY_HEADER,
    IdentityError,
    IdentityMiddleware,
    IdentityVerifier,
    forwarded_identity_headers,
    verifier_from_environment,
)
from subgraphs.registry import DOMAINS
from tests.conftest import StatementCounter
from tests.router.security.support import (
    IDENTITY_SECRET,
    WHOAMI_QUERY,
    CountingApp,
    SigningKeys,
    config_text,
    router_client,
    whoami_subgraph,
    write_jwks,
)

KEYS = SigningKeys()
USER = Identity(IdentityKind.USER, "customer-7", "web", frozenset({"orders:read"}))
FORGED_SECRET = "an-attacker-guess-at-the-secret-0123456789"


async def post_subgraph(app: CountingApp, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://s") as c:
        return await c.post("/graphql", json={"query": WHOAMI_QUERY}, headers=headers)


def forged_headers() -> dict[str, dict[str, str]]:
    now = int(time.time())
    claims = {
        "iss": "ops-router",
        "aud": "ops-subgraphs",
        "exp": now + 60,
        "kind": "user",
        "sub": "admin",
        "scope": "staff:all",
    }
    signer = IdentitySigner(IDENTITY_SECRET)
    return {
        "missing": {},
        "wrong secret": {IDENTITY_HEADER: jwt.encode(claims, FORGED_SECRET, algorithm="HS256")},
        "alg none": {IDENTITY_HEADER: jwt.encode(claims, "", algorithm="none")},
        "expired": {IDENTITY_HEADER: signer.sign(USER, now=now - 3600)},
        "wrong audience": {
            IDENTITY_HEADER: jwt.encode({**claims, "aud": "x"}, IDENTITY_SECRET, algorithm="HS256")
        },
        "no kind": {
            IDENTITY_HEADER: jwt.encode(
                {k: v for k, v in claims.items() if k != "kind"}, IDENTITY_SECRET, algorithm="HS256"
            )
        },
        "garbage": {IDENTITY_HEADER: "garbage"},
    }


@pytest.mark.parametrize("case", list(forged_headers()))
async def test_production_subgraph_refuses_a_missing_or_forged_identity(case: str) -> None:
    subgraph = whoami_subgraph(production=True)
    response = await post_subgraph(subgraph, forged_headers()[case])
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_production_subgraph_accepts_the_router_signed_identity() -> None:
    header = IdentitySigner(IDENTITY_SECRET).sign(USER)
    response = await post_subgraph(whoami_subgraph(), {IDENTITY_HEADER: header})
    assert response.status_code == 200
    assert json.loads(response.json()["data"]["whoami"]) == {
        "kind": "user",
        "subject": "customer-7",
        "client_id": "web",
        "scopes": ["orders:read"],
    }


async def test_development_subgraph_treats_a_missing_header_as_anonymous() -> None:
    subgraph = whoami_subgraph(production=False)
    response = await post_subgraph(subgraph, {})
    assert json.loads(response.json()["data"]["whoami"])["kind"] == "anonymous"
    forged = await post_subgraph(subgraph, forged_headers()["wrong secret"])
    assert forged.status_code == 401  # a forged header is refused in development too


def test_production_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="ROUTER_IDENTITY_SECRET"):
        verifier_from_environment({"OPS_MODE": "production"})
    verifier = verifier_from_environment(
        {"OPS_MODE": "production", "ROUTER_IDENTITY_SECRET": "x" * 32}
    )
    with pytest.raises(IdentityError):
        verifier.verify(None)


def test_the_signed_identity_never_outlives_the_credential() -> None:
    signer = IdentitySigner(IDENTITY_SECRET, ttl_seconds=60)
    now = time.time()
    short = Identity(IdentityKind.USER, "u", expires_at=now + 10)
    claims = jwt.decode(
        signer.sign(short, now=now), IDENTITY_SECRET, algorithms=["HS256"], audience="ops-subgraphs"
    )
    assert claims["exp"] == int(now + 10)
    assert (
        IdentityVerifier(IDENTITY_SECRET, production=True)
        .verify(signer.sign(ANONYMOUS))
        .is_anonymous
    )


@pytest.fixture
def subgraph() -> CountingApp:
    return whoami_subgraph(production=True)


@pytest.fixture
async def router(tmp_path: Path, subgraph: CountingApp) -> AsyncIterator[httpx.AsyncClient]:
    async with router_client(config_text(write_jwks(tmp_path / "jwks.json", KEYS)), subgraph) as c:
        yield c


async def test_a_client_supplied_identity_header_is_stripped(
    router: httpx.AsyncClient, subgraph: CountingApp
) -> None:
    forged = IdentitySigner(IDENTITY_SECRET).sign(
        Identity(IdentityKind.USER, "admin", scopes=frozenset({"staff:all"}))
    )  # even a correctly signed one (a leaked header) is not the client's to send
    response = await router.post(
        "/graphql",
        json={"query": WHOAMI_QUERY},
        headers={IDENTITY_HEADER: forged, "authorization": f"Bearer {KEYS.rs256()}"},
    )
    assert response.status_code == 200, response.text
    assert json.loads(response.json()["data"]["whoami"])["subject"] == "customer-42"
    (sent,) = subgraph.requests
    assert sent[IDENTITY_HEADER] != forged


async def test_anonymous_callers_get_a_signed_anonymous_identity(
    router: httpx.AsyncClient, subgraph: CountingApp
) -> None:
    response = await router.post(
        "/graphql", json={"query": WHOAMI_QUERY}, headers={IDENTITY_HEADER: "forged"}
    )
    assert response.status_code == 200, response.text  # the production subgraph accepted it
    assert json.loads(response.json()["data"]["whoami"])["kind"] == "anonymous"
    assert subgraph.requests[0][IDENTITY_HEADER] != "forged"


async def test_a_domain_subgraph_in_production_refuses_a_forged_header_before_any_sql(
    database: Database, statements: StatementCounter
) -> None:
    verifier = IdentityVerifier(IDENTITY_SECRET, production=True)
    domain = DOMAINS["customers"]
    app = create_subgraph_app(
        "customers",
        domain.schema,
        database,
        domain.metadata,
        create_tables=False,
        identity=verifier,
    )
    query = "{ customers(first: 1) { edges { node { id email } } } }"
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://customers") as client:
        for headers in forged_headers().values():
            response = await client.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code == 401
            assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert statements.count == 0
        good = {IDENTITY_HEADER: IdentitySigner(IDENTITY_SECRET).sign(USER)}
        response = await client.post("/graphql", json={"query": query}, headers=good)
    assert response.status_code == 200
    assert "errors" not in response.json(), response.text
    assert statements.count > 0


async def test_the_identity_is_in_the_scope_state_for_the_stages_behind(tmp_path: Path) -> None:
    seen: list[object] = []

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["state"]["identity"])
        seen.append(SUBGRAPH_REQUEST_HEADERS.get())
        await PlainTextResponse("ok")(scope, receive, send)

    config = parse_config(config_text(write_jwks(tmp_path / "jwks.json", KEYS)))
    app = security_from_config(config, environ={}).wrap(endpoint)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://r") as c:
        response = await c.get("/", headers={"authorization": f"Bearer {KEYS.es256()}"})
    assert response.status_code == 200
    identity, headers = seen
    assert isinstance(identity, Identity) and identity.subject == "customer-42"
    assert isinstance(headers, tuple) and headers[0][0] == IDENTITY_HEADER
    assert SUBGRAPH_REQUEST_HEADERS.get() == ()  # reset after the request


async def test_calls_to_peer_domains_carry_the_vouched_identity_on() -> None:
    forwarded: list[Mapping[str, str]] = []

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        forwarded.append(forwarded_identity_headers())
        await PlainTextResponse("ok")(scope, receive, send)

    app = IdentityMiddleware(endpoint, IdentityVerifier(IDENTITY_SECRET, production=True))
    header = IdentitySigner(IDENTITY_SECRET).sign(USER)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://s") as c:
        assert (await c.get("/graphql", headers={IDENTITY_HEADER: header})).status_code == 200
    assert forwarded == [{IDENTITY_HEADER: header}]
    assert forwarded_identity_headers() == {}  # nothing leaks out of the request
