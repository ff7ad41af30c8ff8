"""Rate limits: token buckets per client and global, in memory and in a real Redis shared
by two router apps, and a Redis outage failing open or closed. Time is a counter."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from models.database import open_database
from router.batching import BatchingConfig
from router.config import parse_config
from router.pipeline import Router
from router.rate_limit import (
    BucketConfig,
    BucketLimit,
    MemoryBuckets,
    RateLimitConfig,
    RateLimiter,
    client_key,
)
from router.security.api_keys import ApiKeyStore
from router.security.credentials import Authenticator
from router.security.identity import Identity, IdentityKind, RateQuota
from router.security.middleware import RouterSecurity, security_from_config
from router.server import create_app
from tests.router.security.support import (
    WHOAMI_QUERY,
    WHOAMI_SUPERGRAPH,
    SigningKeys,
    config_text,
    whoami_subgraph,
    write_jwks,
)
from tests.router.test_demand_control import COST_CASE, CountingSubgraph

REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_PORT_URL = "redis://127.0.0.1:15981/0"  # nothing listens there (this suite's ports)
QUERY = {"query": "{ items(first: 1) { id } }"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def subgraph() -> CountingSubgraph:
    return CountingSubgraph()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own in the shared Redis, deleted afterwards."""
    redis = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await redis.ping()
    except OSError:
        await redis.aclose()
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test:ratelimit:{uuid.uuid4().hex}:"
    yield prefix
    keys = [key async for key in redis.scan_iter(match=prefix + "*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


def config(**values: object) -> RateLimitConfig:
    return RateLimitConfig.model_validate({"enabled": True, **values})


@asynccontextmanager
async def router_client(
    limiter: RateLimiter, subgraph: CountingSubgraph, ip: str = "10.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    router = Router.from_supergraph_sdl(COST_CASE, transport=httpx.ASGITransport(app=subgraph))
    app = create_app(router, rate_limiter=limiter)
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        yield client


async def statuses(client: httpx.AsyncClient, count: int) -> list[int]:
    return [(await client.post("/graphql", json=QUERY)).status_code for _ in range(count)]


async def test_exhaustion_answers_429_with_retry_after_and_refills(
    clock: Clock, subgraph: CountingSubgraph
) -> None:
    bucket = {"capacity": 2, "refill_per_second": 0.5}
    limiter = RateLimiter(config(per_client=bucket), clock=clock)
    async with router_client(limiter, subgraph) as client:
        assert await statuses(client, 2) == [200, 200]
        refused = await client.post("/graphql", json=QUERY)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"  # one token back in 2 s
        assert [e["extensions"]["code"] for e in refused.json()["errors"]] == ["RATE_LIMITED"]
        clock.now += 1.0
        assert await statuses(client, 1) == [429]  # half a token
        clock.now += 1.0
        assert await statuses(client, 2) == [200, 429]
        clock.now += 100.0  # refills up to the capacity, not beyond
        assert await statuses(client, 3) == [200, 200, 429]
    assert subgraph.requests == 5  # the refused requests never reached a subgraph


async def test_clients_have_their_own_buckets_and_share_the_global_one(
    clock: Clock, subgraph: CountingSubgraph
) -> None:
    limiter = RateLimiter(
        config(
            per_client={"capacity": 2, "refill_per_second": 1},
            **{"global": {"capacity": 3, "refill_per_second": 1}},
            clients={"10.0.0.3": {"capacity": 5, "refill_per_second": 1}},
        ),
        clock=clock,
    )
    async with (
        router_client(limiter, subgraph, "10.0.0.1") as first,
        router_client(limiter, subgraph, "10.0.0.2") as second,
    ):
        assert await statuses(first, 3) == [200, 200, 429]  # its own bucket
        assert await statuses(second, 2) == [200, 429]  # the global bucket (3) is empty
    limiter = RateLimiter(
        config(
            per_client={"capacity": 1, "refill_per_second": 1},
            clients={"10.0.0.3": {"capacity": 3, "refill_per_second": 1}},
        ),
        clock=clock,
    )
    async with router_client(limiter, subgraph, "10.0.0.3") as partner:
        assert await statuses(partner, 4) == [200, 200, 200, 429]  # its own, larger quota


async def test_two_routers_share_buckets_in_redis(
    clock: Clock, subgraph: CountingSubgraph, redis_prefix: str
) -> None:
    settings = config(
        per_client={"capacity": 3, "refill_per_second": 0.5},
        redis_url=REDIS_URL,
        key_prefix=redis_prefix,
    )
    one, two = RateLimiter(settings, clock=clock), RateLimiter(settings, clock=clock)
    async with router_client(one, subgraph) as a, router_client(two, subgraph) as b:
        assert await statuses(a, 2) + await statuses(b, 1) == [200, 200, 200]
        refused = await a.post("/graphql", json=QUERY)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
        assert await statuses(b, 1) == [429]
        clock.now += 2.0  # one token back, whichever router asks
        assert await statuses(b, 1) + await statuses(a, 1) == [200, 429]
        clock.now += 60.0
        assert await statuses(a, 1) + await statuses(b, 3) == [200, 200, 200, 429]
    assert subgraph.requests == 7
    assert one.redis_errors == two.redis_errors == 0


async def test_the_global_bucket_in_redis_spans_clients_and_routers(
    clock: Clock, subgraph: CountingSubgraph, redis_prefix: str
) -> None:
    settings = config(
        **{"global": {"capacity": 2, "refill_per_second": 1}},
        redis_url=REDIS_URL,
        key_prefix=redis_prefix,
    )
    one, two = RateLimiter(settings, clock=clock), RateLimiter(settings, clock=clock)
    async with (
        router_client(one, subgraph, "10.0.0.1") as a,
        router_client(two, subgraph, "10.0.0.2") as b,
    ):
        assert await statuses(a, 1) + await statuses(b, 2) == [200, 200, 429]
        clock.now += 1.0
        assert await statuses(a, 2) == [200, 429]


@pytest.mark.parametrize(("mode", "status"), [("open", 200), ("closed", 503)])
async def test_redis_down_fails_open_or_closed_with_a_log_line(
    clock: Clock,
    subgraph: CountingSubgraph,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    status: int,
) -> None:
    settings = config(
        per_client={"capacity": 1, "refill_per_second": 1},
        redis_url=CLOSED_PORT_URL,
        on_redis_error=mode,
    )
    limiter = RateLimiter(settings, clock=clock)
    with caplog.at_level(logging.WARNING, logger="router.rate_limit"):
        async with router_client(limiter, subgraph) as client:
            responses = [await client.post("/graphql", json=QUERY) for _ in range(3)]
    assert [r.status_code for r in responses] == [status] * 3
    if mode == "closed":
        assert responses[0].json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert responses[0].headers["retry-after"] == "1"
    assert subgraph.requests == (3 if mode == "open" else 0)
    assert limiter.redis_errors == 3
    warnings = [r.getMessage() for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1 and f"failing {mode}" in warnings[0]  # once per outage


def test_the_client_is_the_api_key_client_else_the_subject_else_the_ip() -> None:
    scope = {"client": ("192.0.2.7", 5000)}
    partner = Identity(IdentityKind.PARTNER, subject="key-1", client_id="acme")
    user = Identity(IdentityKind.USER, subject="user-42")
    assert client_key(partner, scope) == "client:acme"
    assert client_key(user, scope) == "subject:user-42"
    assert client_key(Identity(IdentityKind.ANONYMOUS), scope) == "ip:192.0.2.7"
    assert client_key(None, {}) == "ip:unknown"


async def test_memory_buckets_take_from_all_or_none() -> None:
    buckets = MemoryBuckets()
    small, large = BucketLimit("a", 1, 1.0), BucketLimit("b", 5, 1.0)
    assert await buckets.take([small, large], 0.0) == 0.0
    assert await buckets.take([small, large], 0.0) == 1.0  # refused: b keeps its 4 tokens
    assert await buckets.take([large], 0.0) == 0.0
    assert await buckets.take([large], 0.0) == 0.0
    assert await buckets.take([large], 0.0) == 0.0
    assert await buckets.take([large], 0.0) == 0.0
    assert await buckets.take([large], 0.0) == 1.0


def test_config_section() -> None:
    text = """
rate_limits:
  enabled: true
  per_client: {capacity: 100, refill_per_second: 10}
  global: {capacity: 1000, refill_per_second: 200}
  clients: {acme: {capacity: 500, refill_per_second: 50}}
  redis_url: redis://127.0.0.1:6379/0
  on_redis_error: closed
"""
    limits = parse_config(text).rate_limits
    assert limits.global_ == BucketConfig(capacity=1000, refill_per_second=200)
    assert limits.clients["acme"].capacity == 500 and limits.on_redis_error == "closed"
    assert RateLimiter.from_config(RateLimitConfig()) is None


async def test_jwt_subjects_have_their_own_buckets_behind_the_real_security(
    clock: Clock, tmp_path: Path
) -> None:
    keys = SigningKeys()
    text = config_text(
        write_jwks(tmp_path / "jwks.json", keys),
        limits="rate_limits:\n  enabled: true\n  per_client: {capacity: 1, refill_per_second: 1}\n",
    )
    settings = parse_config(text)
    limiter = RateLimiter(settings.rate_limits, clock=clock)
    subgraph = whoami_subgraph()
    router = Router.from_supergraph_sdl(
        WHOAMI_SUPERGRAPH, transport=httpx.ASGITransport(app=subgraph)
    )
    app = create_app(
        router, security=security_from_config(settings, environ={}), rate_limiter=limiter
    )
    query = {"query": WHOAMI_QUERY}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):

        async def status(token: str | None) -> int:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            return (await client.post("/graphql", json=query, headers=headers)).status_code

        alice, bob = keys.rs256(sub="alice"), keys.rs256(sub="bob")
        assert [await status(alice), await status(alice)] == [200, 429]
        assert [await status(bob), await status(None), await status(None)] == [200, 200, 429]
        assert await status(keys.rs256(sub="alice", exp=1)) == 401  # refused before limits
        clock.now += 1.0
        assert await status(alice) == 200


@pytest.fixture
async def key_store(tmp_path: Path) -> AsyncIterator[ApiKeyStore]:
    """API keys in the test database (SQLite, or PostgreSQL with DATABASE_URL)."""
    url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    store = ApiKeyStore(open_database(url), cache_seconds=0)
    await store.create_tables()
    yield store
    await store.database.dispose()


async def test_a_keys_own_rate_limit_wins_over_router_yaml(
    clock: Clock, key_store: ApiKeyStore
) -> None:
    """acme's key carries 3 per burst; router.yaml says 1 per client and 10 for acme."""
    limited = await key_store.create("acme", [], rate_limit=RateQuota(3, 0.5))
    plain = await key_store.create("globex", [])
    settings = config(
        per_client={"capacity": 1, "refill_per_second": 1},
        clients={"acme": {"capacity": 10, "refill_per_second": 1}},
    )
    limiter = RateLimiter(settings, clock=clock)
    router = Router.from_supergraph_sdl(
        WHOAMI_SUPERGRAPH, transport=httpx.ASGITransport(app=whoami_subgraph())
    )
    security = RouterSecurity(Authenticator(None, key_store), None)
    app = create_app(router, security=security, rate_limiter=limiter)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):

        async def statuses_of(key: str, count: int) -> list[int]:
            headers = {"x-api-key": key}
            return [
                (
                    await client.post("/graphql", json={"query": WHOAMI_QUERY}, headers=headers)
                ).status_code
                for _ in range(count)
            ]

        assert await statuses_of(limited.key, 4) == [200, 200, 200, 429]
        assert await statuses_of(plain.key, 2) == [200, 429]  # per_client
        await key_store.set_rate_limit(limited.record.key_id, None)  # back to clients.acme
        clock.now += 60.0
        assert await statuses_of(limited.key, 11) == [200] * 10 + [429]


def test_the_key_quota_is_taken_before_clients_and_per_client() -> None:
    limiter = RateLimiter(
        config(
            per_client={"capacity": 1, "refill_per_second": 1},
            clients={"acme": {"capacity": 10, "refill_per_second": 2}},
        )
    )
    own = RateQuota(50, 5.0)
    assert [(b.capacity, b.refill_per_second) for b in limiter.limits_for("client:acme", own)] == [
        (50, 5.0)
    ]
    assert limiter.limits_for("client:acme")[0].capacity == 10
    assert limiter.limits_for("client:globex")[0].capacity == 1
    # enabled without any bucket in router.yaml: only keys with their own limit are limited
    only_keys = RateLimiter.from_config(config())
    assert only_keys is not None
    assert only_keys.limits_for("client:globex") == []
    assert len(only_keys.limits_for("client:acme", own)) == 1


async def test_each_operation_of_a_batch_takes_a_token(
    clock: Clock, subgraph: CountingSubgraph
) -> None:
    limiter = RateLimiter(config(per_client={"capacity": 3, "refill_per_second": 1}), clock=clock)
    router = Router.from_supergraph_sdl(COST_CASE, transport=httpx.ASGITransport(app=subgraph))
    app = create_app(router, rate_limiter=limiter, batching=BatchingConfig(enabled=True))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        batch = await client.post("/graphql", json=[QUERY] * 5)
        assert batch.status_code == 200
        answers = batch.json()
        assert [("errors" in answer) for answer in answers] == [False] * 3 + [True] * 2
        codes = [answers[i]["errors"][0]["extensions"]["code"] for i in (3, 4)]
        assert codes == ["RATE_LIMITED"] * 2
        assert subgraph.requests == 3  # the refused operations never reached a subgraph
        assert (await client.post("/graphql", json=QUERY)).status_code == 429
        clock.now += 2.0  # two tokens back: a batch of three gets two answers
        answers = (await client.post("/graphql", json=[QUERY] * 3)).json()
        assert ["errors" in answer for answer in answers] == [False, False, True]
        metrics = (await client.get("/metrics")).text
    assert "router_rate_limited_total 4.0\n" in metrics  # 2 batched + 1 single + 1 batched
    assert "router_rate_limit_redis_errors_total 0.0\n" in metrics
