"""Partner API keys: the store (SQLite, or PostgreSQL with DATABASE_URL) and the router."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, select, text

from models.base import utcnow
from models.database import Database, open_database
from models.router_keys import ApiKey, RouterBase
from router.config import parse_config
from router.security.api_keys import ApiKeyStore, UnknownKey
from router.security.bearer import InvalidCredential
from router.security.middleware import UNAUTHENTICATED_BODY
from tests.router.security.support import (
    WHOAMI_QUERY,
    CountingApp,
    config_text,
    router_client,
    whoami_subgraph,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = open_database(database_url)
    await database.create_tables(RouterBase.metadata)
    async with database.sessions() as session, session.begin():
        await session.execute(delete(ApiKey))
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database: Database, clock: Clock) -> ApiKeyStore:
    return ApiKeyStore(database, cache_seconds=5, clock=clock)


async def test_only_a_hash_is_stored(store: ApiKeyStore, database: Database) -> None:
    issued = await store.create("acme", ["orders:read", "products:read"])
    prefix, key_id, secret = issued.key.split("_", 2)
    assert (prefix, key_id) == ("opk", issued.record.key_id)
    async with database.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM router_api_keys"))).all()
    assert len(rows) == 1
    assert secret not in repr(rows) and issued.key not in repr(rows)
    identity = await store.authenticate(issued.key)
    assert (identity.subject, identity.client_id) == (f"apikey:{key_id}", "acme")
    assert identity.scopes == {"orders:read", "products:read"}


@pytest.mark.parametrize(
    "presented",
    [
        "opk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # unknown id
        "opk_short_secret",
        "garbage",
        "",
    ],
)
async def test_unknown_and_malformed_keys_are_refused(store: ApiKeyStore, presented: str) -> None:
    with pytest.raises(InvalidCredential):
        await store.authenticate(presented)


async def test_a_wrong_secret_for_a_real_key_id_is_refused(store: ApiKeyStore) -> None:
    issued = await store.create("acme", [])
    forged = issued.key[:-4] + ("AAAA" if not issued.key.endswith("AAAA") else "BBBB")
    with pytest.raises(InvalidCredential):
        await store.authenticate(forged)


async def test_an_expired_key_is_refused(store: ApiKeyStore) -> None:
    issued = await store.create("acme", [], expires_at=utcnow() - timedelta(seconds=1))
    with pytest.raises(InvalidCredential):
        await store.authenticate(issued.key)


async def test_revocation_reaches_every_replica_within_the_cache_period(
    database: Database,
) -> None:
    clock_a, clock_b = Clock(), Clock()
    replica_a = ApiKeyStore(database, cache_seconds=5, clock=clock_a)
    replica_b = ApiKeyStore(database, cache_seconds=5, clock=clock_b)
    issued = await replica_a.create("acme", ["orders:read"])
    for _ in range(10):  # cached: one lookup for ten requests
        await replica_b.authenticate(issued.key)
    assert replica_b.lookups == 1
    await replica_a.revoke(issued.record.key_id)
    await replica_b.authenticate(issued.key)  # within the cache period: still accepted
    clock_b.now += 5
    with pytest.raises(InvalidCredential):
        await replica_b.authenticate(issued.key)
    assert replica_b.lookups == 2
    with pytest.raises(InvalidCredential):
        await replica_a.authenticate(issued.key)


async def test_unknown_ids_are_cached_too(store: ApiKeyStore) -> None:
    key = "opk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    for _ in range(10):
        with pytest.raises(InvalidCredential):
            await store.authenticate(key)
    assert store.lookups == 1


async def test_last_used_is_written_once_per_cache_period(
    store: ApiKeyStore, clock: Clock, database: Database
) -> None:
    issued = await store.create("acme", [])
    assert issued.record.last_used_at is None
    for _ in range(3):
        await store.authenticate(issued.key)
    (record,) = await store.list()
    assert record.last_used_at is not None
    first = record.last_used_at
    clock.now += 6
    await store.authenticate(issued.key)
    (record,) = await store.list()
    assert record.last_used_at is not None and record.last_used_at >= first
    assert store.lookups == 2


async def test_rotate_issues_a_new_key_and_stops_the_old(store: ApiKeyStore) -> None:
    old = await store.create("acme", ["orders:read"])
    new = await store.rotate(old.record.key_id)
    assert new.record.replaces == old.record.key_id
    assert (new.record.client, new.record.scopes) == ("acme", ("orders:read",))
    assert (await store.authenticate(new.key)).client_id == "acme"
    with pytest.raises(InvalidCredential):
        await store.authenticate(old.key)


async def test_rotate_with_grace_keeps_the_old_key_for_a_while(store: ApiKeyStore) -> None:
    old = await store.create("acme", [])
    await store.rotate(old.record.key_id, grace=timedelta(hours=1))
    assert (await store.authenticate(old.key)).client_id == "acme"
    records = {r.key_id: r for r in await store.list()}
    expires = records[old.record.key_id].expires_at
    assert expires is not None and expires <= utcnow() + timedelta(hours=1)


async def test_revoking_an_unknown_key_says_so(store: ApiKeyStore) -> None:
    with pytest.raises(UnknownKey):
        await store.revoke("0123456789ab")


async def test_list_never_shows_a_secret(store: ApiKeyStore, database: Database) -> None:
    issued = await store.create("acme", ["a"])
    await store.revoke(issued.record.key_id)
    (record,) = await store.list()
    assert record.revoked_at is not None
    assert await store.list(include_inactive=False) == []
    async with database.sessions() as session:
        row = await session.scalar(select(ApiKey))
    assert row is not None and row.revoked_at is not None


@pytest.fixture
def subgraph() -> CountingApp:
    return whoami_subgraph()


@pytest.fixture
async def router(
    database_url: str, database: Database, subgraph: CountingApp
) -> AsyncIterator[httpx.AsyncClient]:
    text_config = config_text() + (
        f"api_keys:\n  enabled: true\n  database_url: {database_url}\n  cache_seconds: 0\n"
    )
    async with router_client(parse_config(text_config), subgraph) as client:
        yield client


@pytest.mark.parametrize("header", ["authorization", "x-api-key"])
async def test_a_partner_key_reaches_the_subgraph_as_its_identity(
    header: str, router: httpx.AsyncClient, store: ApiKeyStore, subgraph: CountingApp
) -> None:
    issued = await store.create("acme", ["orders:read"])
    value = f"ApiKey {issued.key}" if header == "authorization" else issued.key
    response = await router.post("/graphql", json={"query": WHOAMI_QUERY}, headers={header: value})
    assert response.status_code == 200, response.text
    assert json.loads(response.json()["data"]["whoami"]) == {
        "kind": "partner",
        "subject": f"apikey:{issued.record.key_id}",
        "client_id": "acme",
        "scopes": ["orders:read"],
    }
    assert len(subgraph.requests) == 1


@pytest.mark.parametrize("case", ["revoked", "expired", "unknown", "wrong secret"])
async def test_a_bad_partner_key_is_401_and_nothing_runs(
    case: str, router: httpx.AsyncClient, store: ApiKeyStore, subgraph: CountingApp
) -> None:
    issued = await store.create(
        "acme", [], expires_at=utcnow() - timedelta(minutes=1) if case == "expired" else None
    )
    key = issued.key
    if case == "revoked":
        await store.revoke(issued.record.key_id)
    elif case == "unknown":
        key = "opk_ffffffffffff_" + key.split("_", 2)[2]
    elif case == "wrong secret":
        key = key[:-1] + ("A" if key[-1] != "A" else "B")
    response = await router.post(
        "/graphql", json={"query": WHOAMI_QUERY}, headers={"x-api-key": key}
    )
    assert (response.status_code, response.content) == (401, UNAUTHENTICATED_BODY)
    assert subgraph.requests == []


async def test_keys_are_refused_when_not_enabled(store: ApiKeyStore, subgraph: CountingApp) -> None:
    issued = await store.create("acme", [])
    async with router_client(config_text(), subgraph) as client:
        response = await client.post(
            "/graphql", json={"query": WHOAMI_QUERY}, headers={"x-api-key": issued.key}
        )
    assert (response.status_code, response.content) == (401, UNAUTHENTICATED_BODY)
    assert subgraph.requests == []


async def test_an_unreachable_key_database_is_503_not_401(subgraph: CountingApp) -> None:
    unreachable = "postgresql+asyncpg://postgres@127.0.0.1:15949/none"  # nothing listens there
    text_config = config_text() + f"api_keys:\n  enabled: true\n  database_url: {unreachable}\n"
    async with router_client(parse_config(text_config), subgraph, startup=False) as client:
        key = "opk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        response = await client.post(
            "/graphql", json={"query": WHOAMI_QUERY}, headers={"x-api-key": key}
        )
        anonymous = await client.post("/graphql", json={"query": WHOAMI_QUERY})
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert anonymous.status_code == 200  # requests without a key do not need the database
    assert len(subgraph.requests) == 1
