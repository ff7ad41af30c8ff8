"""Retries: a query whose connection failed before a response is sent again (with a
jittered, growing backoff); a mutation never is; nor is a query once its response started
arriving. Counted at a real local server that drops connections."""

from __future__ import annotations

import pytest

from router.retries import (
    ConnectionFailedError,
    RetryPolicy,
    backoff_delay,
    with_retries,
)
from router.subgraph_client import SubgraphClients, SubgraphRequestError, SubgraphShaping
from tests.router.flaky_subgraph import FlakySubgraph, free_port, running

NO_BREAKER = SubgraphShaping(retries=RetryPolicy(max_retries=2), circuit_breaker=None)


def clients(url: str, rule: SubgraphShaping = NO_BREAKER) -> SubgraphClients:
    return SubgraphClients({"a": url}, shaping={"a": rule}, timeout=5.0)


def test_backoff_doubles_up_to_the_ceiling_and_is_jittered() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=0.1, max_delay=0.3)
    assert [backoff_delay(policy, n, 0.999999) for n in (1, 2, 3, 4)] == pytest.approx(
        [0.1, 0.2, 0.3, 0.3], rel=1e-5
    )
    assert backoff_delay(policy, 2, 0.5) == pytest.approx(0.1)
    assert backoff_delay(policy, 2, 0.0) == 0.0


async def test_with_retries_waits_the_backoff_between_attempts() -> None:
    waits: list[float] = []
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionFailedError("refused")
        return "ok"

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    policy = RetryPolicy(max_retries=3, base_delay=1.0, max_delay=10.0)
    result = await with_retries(policy, attempt, sleep=sleep, random_fraction=lambda: 0.5)
    assert (result, attempts, waits) == ("ok", 3, [0.5, 1.0])


async def test_with_retries_stops_when_told_and_other_errors_are_not_retried() -> None:
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        raise ConnectionFailedError("refused")

    with pytest.raises(ConnectionFailedError):
        await with_retries(RetryPolicy(5, 0, 0), attempt, may_retry=lambda: False)
    assert attempts == 1

    async def broken() -> str:
        nonlocal attempts
        attempts += 1
        raise ValueError("not a connection failure")

    with pytest.raises(ValueError):
        await with_retries(RetryPolicy(5, 0, 0), broken)
    assert attempts == 2


async def test_a_query_is_retried_and_succeeds() -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["drop", "drop"]
        client = clients(subgraph.url)
        try:
            answer = await client.fetch("a", "query { n }", None)
        finally:
            await client.aclose()
    assert answer == {"data": {"n": 3, "__typename": "Query"}}
    assert len(subgraph.bodies) == 3


async def test_a_query_gives_up_after_its_retries() -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["drop"] * 5
        client = clients(subgraph.url)
        try:
            with pytest.raises(SubgraphRequestError, match="closed unanswered"):
                await client.fetch("a", "{ n }", None)
        finally:
            await client.aclose()
    assert len(subgraph.bodies) == 3  # the first attempt and two retries


async def test_a_mutation_is_never_repeated() -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["drop"] * 5
        client = clients(subgraph.url)
        try:
            with pytest.raises(SubgraphRequestError):
                await client.fetch("a", "mutation { n }", None)
        finally:
            await client.aclose()
    assert subgraph.bodies == [b'{"query":"mutation { n }"}']


async def test_a_mutation_on_a_kept_alive_connection_is_not_sent_again() -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["answer", "drop"]
        client = clients(subgraph.url)
        try:
            await client.fetch("a", "{ n }", None)  # leaves a kept-alive connection
            with pytest.raises(SubgraphRequestError):
                await client.fetch("a", "mutation { n }", None)
        finally:
            await client.aclose()
    assert subgraph.connections == 1
    assert subgraph.bodies[1:] == [b'{"query":"mutation { n }"}']


async def test_a_query_whose_response_started_is_not_retried() -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["partial"]
        client = clients(subgraph.url)
        try:
            with pytest.raises(SubgraphRequestError, match="before the response ended"):
                await client.fetch("a", "{ n }", None)
        finally:
            await client.aclose()
    assert len(subgraph.bodies) == 1


async def test_a_refused_connection_is_retried() -> None:
    client = clients(f"http://127.0.0.1:{free_port()}/graphql")  # nobody listens there
    try:
        with pytest.raises(SubgraphRequestError, match="cannot connect"):
            await client.fetch("a", "{ n }", None)
    finally:
        await client.aclose()
    assert client.requests_sent == 3


async def test_retries_can_be_turned_off() -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["drop"]
        rule = SubgraphShaping(retries=RetryPolicy(max_retries=0), circuit_breaker=None)
        client = clients(subgraph.url, rule)
        try:
            with pytest.raises(SubgraphRequestError):
                await client.fetch("a", "{ n }", None)
        finally:
            await client.aclose()
    assert len(subgraph.bodies) == 1
