"""The circuit breaker per subgraph, on a fake clock (no sleeps): it opens after N
consecutive failures, then refuses without a connection attempt (counted at a real local
server), lets one probe through after the cool-down, and closes when the probe succeeds."""

from __future__ import annotations

import pytest

from router.circuit_breaker import BreakerPolicy, CircuitBreaker, CircuitState
from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest
from router.retries import RetryPolicy
from router.subgraph_client import SubgraphClients, SubgraphRequestError, SubgraphShaping
from router.supergraph import Supergraph
from tests.router.flaky_subgraph import FlakySubgraph, running
from tests.router.test_supergraph_reload import V1


def state(breaker: CircuitBreaker) -> CircuitState:
    """Read afresh (mypy would keep the state narrowed by an earlier assert)."""
    return breaker.state


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_only() -> None:
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=3, cooldown_seconds=5), FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()  # not consecutive any more
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) is CircuitState.CLOSED and breaker.allow()
    breaker.record_failure()
    assert state(breaker) is CircuitState.OPEN
    assert not breaker.allow()
    assert breaker.short_circuited == 1


def test_half_open_lets_one_probe_through_then_closes_or_reopens() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=1, cooldown_seconds=5), clock)
    breaker.record_failure()
    clock.now += 4.9
    assert not breaker.allow()
    assert breaker.retry_after() == pytest.approx(0.1)
    clock.now += 0.1
    assert breaker.allow()  # the probe
    assert state(breaker) is CircuitState.HALF_OPEN
    assert not breaker.allow()  # only one at a time
    breaker.record_failure()  # the probe failed: another full cool-down
    assert state(breaker) is CircuitState.OPEN
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()
    breaker.record_success()
    assert state(breaker) is CircuitState.CLOSED
    assert breaker.allow() and breaker.allow()


def test_a_probe_that_never_reports_is_replaced_after_a_cool_down() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=1, cooldown_seconds=5), clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()  # its caller is cancelled and never records an outcome
    clock.now += 4
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


async def test_a_dead_subgraph_is_short_circuited_until_a_probe_succeeds() -> None:
    clock = FakeClock()
    rule = SubgraphShaping(
        retries=RetryPolicy(max_retries=0),
        circuit_breaker=BreakerPolicy(failure_threshold=3, cooldown_seconds=2),
    )
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["drop"] * 4
        client = SubgraphClients({"a": subgraph.url}, shaping={"a": rule}, clock=clock)
        try:
            for _ in range(3):
                with pytest.raises(SubgraphRequestError, match="closed unanswered"):
                    await client.fetch("a", "{ n }", None)
            assert subgraph.connections == 3
            breaker = client.breakers["a"]
            assert state(breaker) is CircuitState.OPEN
            for _ in range(10):  # no connection attempted
                with pytest.raises(SubgraphRequestError, match="circuit open"):
                    await client.fetch("a", "{ n }", None)
            assert (subgraph.connections, len(subgraph.bodies), client.requests_sent) == (3, 3, 3)
            assert breaker.short_circuited == 10

            clock.now += 2  # the probe fails: open again
            with pytest.raises(SubgraphRequestError, match="closed unanswered"):
                await client.fetch("a", "{ n }", None)
            assert state(breaker) is CircuitState.OPEN and subgraph.connections == 4
            with pytest.raises(SubgraphRequestError, match="circuit open"):
                await client.fetch("a", "{ n }", None)

            clock.now += 2  # the subgraph is back: the probe closes the breaker
            assert await client.fetch("a", "{ n }", None) == {
                "data": {"n": 5, "__typename": "Query"}
            }
            assert state(breaker) is CircuitState.CLOSED
            assert await client.fetch("a", "{ n }", None) == {
                "data": {"n": 6, "__typename": "Query"}
            }
        finally:
            await client.aclose()


async def test_an_open_breaker_stops_the_retries() -> None:
    rule = SubgraphShaping(
        retries=RetryPolicy(max_retries=5, base_delay=0),
        circuit_breaker=BreakerPolicy(failure_threshold=2, cooldown_seconds=60),
    )
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["drop"] * 10
        client = SubgraphClients({"a": subgraph.url}, shaping={"a": rule}, clock=FakeClock())
        try:
            with pytest.raises(SubgraphRequestError):
                await client.fetch("a", "{ n }", None)
        finally:
            await client.aclose()
    assert len(subgraph.bodies) == 2


async def test_through_the_router_the_fields_are_null_with_an_error() -> None:
    """An open breaker fails the fetch like any failed fetch: data null for its fields, a
    ``SUBGRAPH_ERROR`` naming the subgraph, and no connection attempted."""
    rule = SubgraphShaping(
        retries=RetryPolicy(max_retries=0),
        circuit_breaker=BreakerPolicy(failure_threshold=2, cooldown_seconds=60),
    )
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["drop"] * 2
        client = SubgraphClients({"a": subgraph.url}, shaping={"a": rule}, clock=FakeClock())
        router = Router(Supergraph.from_sdl(V1), client, 8)
        try:
            prepared = router.prepare(GraphQLRequest("{ n }"))
            assert isinstance(prepared, PreparedOperation)
            answers = [await router.execute(prepared) for _ in range(4)]
        finally:
            await router.aclose()
    assert subgraph.connections == 2
    for answer in answers:
        assert answer["data"] == {"n": None}
        [error] = answer["errors"]
        assert error["extensions"] == {"code": "SUBGRAPH_ERROR", "serviceName": "a"}
    assert "circuit open" not in answers[1]["errors"][0]["message"]
    assert "circuit open" in answers[2]["errors"][0]["message"]


async def test_timeouts_open_it_so_a_hanging_subgraph_costs_no_more_timeouts() -> None:
    rule = SubgraphShaping(
        timeout=0.05, circuit_breaker=BreakerPolicy(failure_threshold=2, cooldown_seconds=60)
    )
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["hold"] * 3  # never released: every request times out
        client = SubgraphClients({"a": subgraph.url}, shaping={"a": rule}, clock=FakeClock())
        try:
            for _ in range(2):
                with pytest.raises(SubgraphRequestError, match="timed out"):
                    await client.fetch("a", "{ n }", None)
            with pytest.raises(SubgraphRequestError, match="circuit open"):
                await client.fetch("a", "{ n }", None)
        finally:
            await client.aclose()
    assert subgraph.holding == 2
