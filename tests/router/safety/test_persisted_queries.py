"""Automatic persisted queries, Apollo's protocol: register by POST, run by hash (GET too),
refuse a wrong hash; in memory per process or in Redis shared by replicas."""

from __future__ import annotations

import uuid

import orjson
import pytest
from redis.asyncio import Redis

from router.operation_documents import OperationDocuments
from router.persisted_queries import (
    ApqConfig,
    AutomaticPersistedQueries,
    MemoryApqStore,
    sha256_hex,
)
from router.trusted_documents import TrustedDocumentsConfig
from tests.router.safety.support import QUERY, fleet_client, persisted

DIGEST = sha256_hex(QUERY)
REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_an_unknown_hash_is_not_found_with_apollos_shape() -> None:
    async with fleet_client() as client:
        response = await client.post("/graphql", json={"extensions": persisted(DIGEST)})
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    assert "no-cache" in response.headers["cache-control"]


async def test_register_then_run_by_hash_over_post_and_get() -> None:
    async with fleet_client() as client:
        registered = await client.post(
            "/graphql", json={"query": QUERY, "extensions": persisted(DIGEST)}
        )
        by_post = await client.post("/graphql", json={"extensions": persisted(DIGEST)})
        by_get = await client.get(
            "/graphql",
            params={"extensions": orjson.dumps(persisted(DIGEST)).decode()},
            headers={"accept": "application/json"},
        )
    assert registered.status_code == 200
    answer = registered.json()
    assert answer["data"]["topProducts"], answer
    assert by_post.json() == answer
    assert by_get.status_code == 200
    assert by_get.json() == answer


async def test_a_hash_that_is_not_the_querys_is_refused_and_not_stored() -> None:
    wrong = sha256_hex("{ somethingElse }")
    async with fleet_client() as client:
        mismatch = await client.post(
            "/graphql", json={"query": QUERY, "extensions": persisted(wrong)}
        )
        after = await client.post("/graphql", json={"extensions": persisted(wrong)})
    assert mismatch.status_code == 400
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert after.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ({"persistedQuery": {"version": 2, "sha256Hash": DIGEST}}, "version"),
        ({"persistedQuery": {"version": 1}}, "sha256Hash"),
        ({"persistedQuery": "x"}, "object"),
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(
    extensions: dict[str, object], message: str
) -> None:
    async with fleet_client() as client:
        response = await client.post("/graphql", json={"extensions": extensions})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert message in error["message"]


async def test_disabled_apq_says_so() -> None:
    documents = OperationDocuments.from_config(ApqConfig(enabled=False), TrustedDocumentsConfig())
    async with fleet_client(documents) as client:
        response = await client.post("/graphql", json={"extensions": persisted(DIGEST)})
        plain = await client.post("/graphql", json={"query": QUERY})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
    assert plain.json()["data"]["topProducts"]


async def test_the_memory_store_is_bounded_by_bytes() -> None:
    store = MemoryApqStore(max_bytes=10_000, max_query_bytes=2_000)
    for index in range(100):
        query = "{ topProducts { name } }" + " " * 500 + f"# {index}"
        await store.put(sha256_hex(query), query)
    assert 10 <= len(store) <= 15  # ~700 weighed bytes each within 10 kB
    huge = "{ a }" + " " * 5_000
    await store.put(sha256_hex(huge), huge)
    assert await store.get(sha256_hex(huge)) is None
    last = "{ topProducts { name } }" + " " * 500 + "# 99"
    assert await store.get(sha256_hex(last)) == last


async def test_two_routers_share_registered_queries_through_redis() -> None:
    prefix = f"apq-test-{uuid.uuid4()}:"
    config = ApqConfig(redis_url=REDIS_URL, redis_key_prefix=prefix, ttl_seconds=60)
    query = QUERY + f" # {uuid.uuid4()}"  # a hash no earlier run registered
    digest = sha256_hex(query)
    first = OperationDocuments(AutomaticPersistedQueries.from_config(config))
    second = OperationDocuments(AutomaticPersistedQueries.from_config(config))
    async with fleet_client(first) as one, fleet_client(second) as two:
        before = await two.post("/graphql", json={"extensions": persisted(digest)})
        await one.post("/graphql", json={"query": query, "extensions": persisted(digest)})
        after = await two.get(
            "/graphql", params={"extensions": orjson.dumps(persisted(digest)).decode()}
        )
    assert before.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert after.status_code == 200
    assert after.json()["data"]["topProducts"]
    redis = Redis.from_url(REDIS_URL)
    try:
        assert await redis.get(prefix + digest) == query.encode()
        assert 0 < await redis.ttl(prefix + digest) <= 60
    finally:
        await redis.aclose()


async def test_redis_down_degrades_to_not_found_then_runs_the_full_text() -> None:
    config = ApqConfig(redis_url="redis://127.0.0.1:15979/0")  # nothing listens there
    documents = OperationDocuments(AutomaticPersistedQueries.from_config(config))
    async with fleet_client(documents) as client:
        by_hash = await client.post("/graphql", json={"extensions": persisted(DIGEST)})
        full = await client.post("/graphql", json={"query": QUERY, "extensions": persisted(DIGEST)})
    assert by_hash.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert full.json()["data"]["topProducts"]
