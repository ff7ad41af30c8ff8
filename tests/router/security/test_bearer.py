"""JWT bearer tokens through the router: every bad token is one 401 body, nothing runs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from router.config import parse_config
from router.security.bearer import BearerVerifier, InvalidCredential
from router.security.config import JWKSConfig, JWTConfig
from router.security.identity import IdentityKind
from router.security.middleware import UNAUTHENTICATED_BODY
from tests.router.security.support import (
    AUDIENCE,
    ISSUER,
    WHOAMI_QUERY,
    CountingApp,
    SigningKeys,
    config_text,
    jwks_of,
    mint,
    router_client,
    whoami_subgraph,
    write_jwks,
)

KEYS = SigningKeys()
OTHER = SigningKeys("other")  # same kids' shape, not in the JWKS


def now() -> int:
    """Read when each token is minted (a module-level time goes stale in a long run)."""
    return int(time.time())


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(**claims: Any) -> str:
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "admin", "exp": now() + 300, **claims}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


def _hs256_with_public_key() -> str:
    """Algorithm confusion: HS256 'signed' with the RSA public key's PEM as the secret."""
    pem = KEYS.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": KEYS.rsa_kid})
    payload = _b64({"iss": ISSUER, "aud": AUDIENCE, "sub": "admin", "exp": now() + 300})
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _es256_header_with_rsa_signature() -> str:
    token = KEYS.rs256()
    _header, payload, signature = token.split(".")
    return f"{_b64({'alg': 'ES256', 'kid': KEYS.rsa_kid})}.{payload}.{signature}"


BAD_TOKENS: dict[str, Callable[[], str]] = {
    "expired": lambda: KEYS.rs256(exp=now() - 120),  # beyond the 30 s leeway
    "not yet valid": lambda: KEYS.rs256(nbf=now() + 120),
    "wrong issuer": lambda: KEYS.rs256(iss="https://evil.example.test/"),
    "wrong audience": lambda: KEYS.rs256(aud="another-api"),
    "no audience": lambda: KEYS.rs256(aud=None),
    "no expiry": lambda: KEYS.rs256(exp=None),
    "no subject": lambda: KEYS.es256(sub=None),
    "wrong key": lambda: mint({}, OTHER.rsa, "RS256", KEYS.rsa_kid),
    "unknown kid": lambda: OTHER.rs256(),
    "alg none": lambda: _unsigned(),
    "alg none with a signature": lambda: _unsigned() + "c2ln",
    "HS/RS confusion": _hs256_with_public_key,
    "ES header on an RSA key": _es256_header_with_rsa_signature,
    "RS384 not allowed": lambda: mint({}, KEYS.rsa, "RS384", KEYS.rsa_kid),
    "truncated": lambda: KEYS.rs256()[:-20],
    "signature dropped": lambda: KEYS.rs256().rsplit(".", 1)[0] + ".",
    "garbage": lambda: "not-a-token",
    "garbage segments": lambda: "a.b.c",
    "empty": lambda: "",
    "huge": lambda: "x" * 20_000,
}


@pytest.fixture
def subgraph() -> CountingApp:
    return whoami_subgraph()


@pytest.fixture
async def router(tmp_path: Path, subgraph: CountingApp) -> AsyncIterator[httpx.AsyncClient]:
    jwks = write_jwks(tmp_path / "jwks.json", KEYS)
    async with router_client(config_text(jwks), subgraph) as client:
        yield client


async def ask(client: httpx.AsyncClient, token: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json={"query": WHOAMI_QUERY}, headers=headers)


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_a_bad_token_is_401_and_nothing_runs(
    case: str, router: httpx.AsyncClient, subgraph: CountingApp
) -> None:
    response = await ask(router, BAD_TOKENS[case]())
    assert response.status_code == 401
    assert response.content == UNAUTHENTICATED_BODY  # the same body whatever the reason
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert subgraph.requests == []


@pytest.mark.parametrize("sign", ["rs256", "es256"])
async def test_a_good_token_reaches_the_subgraph_as_its_identity(
    sign: str, router: httpx.AsyncClient, subgraph: CountingApp
) -> None:
    token = getattr(KEYS, sign)(scope="orders:read profile:read", azp="web")
    response = await ask(router, token)
    assert response.status_code == 200, response.text
    assert json.loads(response.json()["data"]["whoami"]) == {
        "kind": "user",
        "subject": "customer-42",
        "client_id": "web",
        "scopes": ["orders:read", "profile:read"],
    }
    assert len(subgraph.requests) == 1


async def test_leeway_accepts_a_token_that_expired_a_moment_ago(
    router: httpx.AsyncClient,
) -> None:
    response = await ask(router, KEYS.rs256(exp=now() - 5, nbf=now() + 5))
    assert response.status_code == 200, response.text


async def test_anonymous_requests_pass_as_anonymous(router: httpx.AsyncClient) -> None:
    response = await ask(router, None)
    assert response.status_code == 200
    assert json.loads(response.json()["data"]["whoami"])["kind"] == "anonymous"


@pytest.mark.parametrize("header", ["", "   "])
async def test_a_blank_authorization_header_is_no_credential(
    header: str, router: httpx.AsyncClient
) -> None:
    # GraphiQL opens with {"Authorization": ""} in its headers editor and sends it as is
    response = await router.post(
        "/graphql", json={"query": WHOAMI_QUERY}, headers={"authorization": header}
    )
    assert response.status_code == 200, response.text
    assert json.loads(response.json()["data"]["whoami"])["kind"] == "anonymous"


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "bearer  "],
)
async def test_other_schemes_and_empty_credentials_are_401(
    header: str, router: httpx.AsyncClient, subgraph: CountingApp
) -> None:
    response = await router.post(
        "/graphql", json={"query": WHOAMI_QUERY}, headers={"authorization": header}
    )
    assert (response.status_code, response.content) == (401, UNAUTHENTICATED_BODY)
    assert subgraph.requests == []


async def test_two_credentials_are_401(router: httpx.AsyncClient, subgraph: CountingApp) -> None:
    response = await router.post(
        "/graphql",
        json={"query": WHOAMI_QUERY},
        headers={"authorization": f"Bearer {KEYS.rs256()}", "x-api-key": "opk_x"},
    )
    assert (response.status_code, response.content) == (401, UNAUTHENTICATED_BODY)
    assert subgraph.requests == []


async def test_a_token_is_refused_when_jwt_is_not_configured(subgraph: CountingApp) -> None:
    async with router_client(config_text(), subgraph) as client:
        response = await ask(client, KEYS.rs256())
    assert (response.status_code, response.content) == (401, UNAUTHENTICATED_BODY)
    assert subgraph.requests == []


async def test_hs256_only_when_configured_and_only_with_its_secret(subgraph: CountingApp) -> None:
    secret = "development-only-secret-0123456789abcdef"
    text = config_text() + (
        "authentication:\n  jwt:\n    algorithms: [HS256]\n    allow_hs256: true\n"
        f"    hs256_secret: {secret}\n    issuer: {ISSUER}\n    audiences: [{AUDIENCE}]\n"
    )
    async with router_client(text, subgraph) as client:
        good = await ask(client, mint({}, secret, "HS256"))
        wrong = await ask(client, mint({}, "another-secret-0123456789abcdefghijkl", "HS256"))
        rsa = await ask(client, KEYS.rs256())  # RS256 is not in this config's algorithms
    assert good.status_code == 200, good.text
    assert (wrong.status_code, wrong.content) == (401, UNAUTHENTICATED_BODY)
    assert (rsa.status_code, rsa.content) == (401, UNAUTHENTICATED_BODY)
    assert len(subgraph.requests) == 1


class JWKSServer:
    """An identity provider's JWKS endpoint, in-process; counts the fetches."""

    def __init__(self, *keys: SigningKeys) -> None:
        self.document = jwks_of(*keys)
        self.fetches = 0
        self.fail = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.fail:
            return httpx.Response(503)
        return httpx.Response(200, json=self.document)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def url_verifier(server: JWKSServer, clock: Clock) -> BearerVerifier:
    config = JWTConfig(
        jwks=JWKSConfig(
            url="https://id.example.test/.well-known/jwks.json",  # type: ignore[arg-type]
            refresh_seconds=300,
            min_refresh_seconds=10,
        ),
        issuer=ISSUER,
        audiences=(AUDIENCE,),
    )
    transport = httpx.MockTransport(server.handle)
    return BearerVerifier(config, transport=transport, clock=clock)


async def test_a_jwks_url_is_fetched_once_and_cached() -> None:
    server, clock = JWKSServer(KEYS), Clock()
    verifier = url_verifier(server, clock)
    for request in range(5):
        identity = await verifier.verify(KEYS.rs256(jti=str(request)))
        assert identity.kind is IdentityKind.USER
    assert server.fetches == 1
    clock.now += 301  # past refresh_seconds: fetched again
    await verifier.verify(KEYS.es256())
    assert server.fetches == 2


async def test_a_rotated_key_is_picked_up_and_unknown_kids_do_not_hammer_the_provider() -> None:
    server, clock = JWKSServer(KEYS), Clock()
    verifier = url_verifier(server, clock)
    await verifier.verify(KEYS.rs256())
    with pytest.raises(InvalidCredential):  # the keys were fetched just now: no refetch
        await verifier.verify(OTHER.rs256())
    assert server.fetches == 1
    clock.now += 11
    for _ in range(5):  # unknown kid: one early refresh, then none until min_refresh_seconds
        with pytest.raises(InvalidCredential):
            await verifier.verify(OTHER.rs256())
    assert server.fetches == 2
    server.document = jwks_of(KEYS, OTHER)  # the provider rotates in a new key
    clock.now += 11
    assert (await verifier.verify(OTHER.rs256())).subject == "customer-42"
    assert server.fetches == 3


async def test_a_failed_refresh_keeps_the_keys_it_had() -> None:
    server, clock = JWKSServer(KEYS), Clock()
    verifier = url_verifier(server, clock)
    await verifier.verify(KEYS.rs256())
    server.fail = True
    clock.now += 301
    assert (await verifier.verify(KEYS.rs256(jti="another"))).subject == "customer-42"
    assert server.fetches == 2
    for request in range(5):  # while the provider is down: no refetch per request
        await verifier.verify(KEYS.rs256(jti=f"during the outage {request}"))
    assert server.fetches == 2
    clock.now += 10  # min_refresh_seconds later: one more attempt
    await verifier.verify(KEYS.rs256(jti="later"))
    assert server.fetches == 3


def test_a_jwks_oct_key_is_never_used(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}))
    config = parse_config(
        f"authentication:\n  jwt:\n    jwks: {{file: {path}}}\n    algorithms: [RS256]\n"
    )
    assert config.authentication.jwt is not None
    verifier = BearerVerifier(config.authentication.jwt)
    assert verifier.key_source is not None
    assert verifier.key_source._keys == ()


async def test_an_unreadable_jwks_file_fails_at_start(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_text("{not json")
    config = JWTConfig(jwks=JWKSConfig(file=path))
    with pytest.raises(ValueError, match="not JSON"):
        BearerVerifier(config)


def test_pyjwt_is_not_given_alg_none() -> None:
    """The allow-list of the config is what PyJWT sees: ``none`` cannot be configured."""
    with pytest.raises(ValueError, match="algorithms"):
        parse_config("authentication:\n  jwt:\n    algorithms: [none]\n    jwks: {file: x}\n")
    assert jwt.get_unverified_header(_unsigned())["alg"] == "none"


def file_verifier(tmp_path: Path, wall_clock: Clock) -> BearerVerifier:
    config = JWTConfig(
        jwks=JWKSConfig(file=write_jwks(tmp_path / "jwks.json", KEYS)),
        issuer=ISSUER,
        audiences=(AUDIENCE,),
        leeway_seconds=30,
        cache_seconds=60,
    )
    return BearerVerifier(config, wall_clock=wall_clock)


async def test_a_verified_token_is_reused_until_the_cache_period_ends(tmp_path: Path) -> None:
    wall = Clock()
    wall.now = time.time()
    verifier = file_verifier(tmp_path, wall)
    token = KEYS.rs256()
    for _ in range(5):
        assert (await verifier.verify(token)).subject == "customer-42"
    assert verifier.verifications == 1
    wall.now += 61
    await verifier.verify(token)
    assert verifier.verifications == 2


async def test_a_cached_token_still_expires(tmp_path: Path) -> None:
    wall = Clock()
    wall.now = time.time()
    verifier = file_verifier(tmp_path, wall)
    token = KEYS.rs256(exp=now() + 20)
    await verifier.verify(token)
    wall.now += 20 + 30  # exp plus the leeway
    with pytest.raises(InvalidCredential):
        await verifier.verify(token)
    assert verifier.verifications == 1


async def test_failures_are_not_cached(tmp_path: Path) -> None:
    wall = Clock()
    wall.now = time.time()
    verifier = file_verifier(tmp_path, wall)
    token = KEYS.rs256(aud="another-api")
    for _ in range(3):
        with pytest.raises(InvalidCredential):
            await verifier.verify(token)
    assert verifier.verifications == 3
