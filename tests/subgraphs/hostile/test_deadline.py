"""Work that outlives its request (issue 9, item 7): the reported 272-byte query shape,
orders -> customer -> orders chained with ``first: 100``, multiplies per level and kept a
subgraph busy for minutes. Against the orders subgraph directly, it stops at the request's
deadline (``X-Deadline-Ms``) or when its client disconnects: the request's tasks are gone
and no SQL statement runs afterwards. Bodies above the limit are refused with 413."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from models.database import Database
from subgraphs.common.deadline import RequestGuard, budget_ms
from subgraphs.registry import create_app
from tests.conftest import StatementCounter
from tests.subgraphs.hostile.serving import PORTS, served


def _chain(depth: int) -> str:
    """orders -> customer -> orders ... ``depth`` levels of ``orders(first: 100)``."""
    inner = "id"
    for _ in range(depth - 1):
        inner = f"id customer {{ orders(first: 100) {{ nodes {{ {inner} }} }} }}"
    return f"{{ orders(first: 100) {{ nodes {{ {inner} }} }} }}"


HOSTILE = {"query": _chain(7)}  # about 100 * 7^6 = 11.8 million orders at the test scale
NORMAL = {"query": '{ order(id: "1") { id customer { id } } }'}


@pytest.fixture
async def orders_app(database: Database) -> Starlette:
    return create_app("orders", database, create_tables=False)


@pytest.fixture
async def client(orders_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=orders_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://orders.test") as client:
        yield client


async def _settle() -> None:
    """Let anything the request left behind run (a batch load already dispatched)."""
    for _ in range(20):
        await asyncio.sleep(0.01)


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.02)


async def _answers_normally(client: httpx.AsyncClient, url: str = "/graphql") -> None:
    body = (await client.post(url, json=NORMAL)).json()
    assert body == {
        "data": {"order": {"id": "1", "customer": {"id": body["data"]["order"]["customer"]["id"]}}}
    }


def test_the_hostile_query_is_the_reported_size() -> None:
    assert len(_chain(4)) <= 272


def test_budget_comes_from_the_header_capped() -> None:
    assert budget_ms([], default=10_000, maximum=60_000) == 10_000
    assert budget_ms([(b"x-deadline-ms", b"250")], default=10_000, maximum=60_000) == 250
    assert budget_ms([(b"X-Deadline-Ms", b"250")], default=10_000, maximum=60_000) == 250
    assert budget_ms([(b"x-deadline-ms", b"9" * 40)], default=10_000, maximum=60_000) == 10_000
    assert budget_ms([(b"x-deadline-ms", b"999999")], default=10_000, maximum=60_000) == 60_000
    assert budget_ms([(b"x-deadline-ms", b"-5")], default=10_000, maximum=60_000) == 10_000


async def test_the_hostile_chain_stops_at_its_deadline(
    client: httpx.AsyncClient, orders_app: Starlette, statements: StatementCounter
) -> None:
    guard: RequestGuard = orders_app.state.guard
    tasks_before = len(asyncio.all_tasks())
    response = await client.post("/graphql", json=HOSTILE, headers={"X-Deadline-Ms": "300"})
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert guard.counts.deadline_passed == 1
    executed = statements.count
    assert executed >= 2  # it did start: orders, then customers' orders
    await _settle()
    # At most the one batch load already on its way when the request was cancelled.
    assert statements.count <= executed + 1
    settled = statements.count
    await _settle()
    assert statements.count == settled
    assert len(asyncio.all_tasks()) <= tasks_before
    await _answers_normally(client)


async def test_without_a_header_the_default_deadline_applies(
    orders_app: Starlette, database: Database
) -> None:
    guard: RequestGuard = orders_app.state.guard
    guard.default_ms = 300
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=orders_app), base_url="http://orders.test"
    ) as client:
        response = await client.post("/graphql", json=HOSTILE)
        assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        await _answers_normally(client)


def _impatient_post(url: str) -> None:
    """POST the hostile query and give up after half a second, from another thread: the
    server shares this test's event loop, which a hostile request keeps busy."""
    with httpx.Client(timeout=0.5) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(url, json=HOSTILE)


async def test_the_hostile_chain_stops_for_a_client_that_goes(
    orders_app: Starlette, statements: StatementCounter
) -> None:
    """Over a real connection: the request is cancelled (at its disconnect, or at the
    deadline when the loop is too busy to notice the disconnect earlier) and the server
    answers normally afterwards."""
    guard: RequestGuard = orders_app.state.guard
    guard.default_ms = 2_000
    async with served(orders_app, PORTS["disconnect"]) as base:
        await asyncio.to_thread(_impatient_post, f"{base}/graphql")
        await _until(lambda: guard.counts.disconnected + guard.counts.deadline_passed == 1)
        executed = statements.count
        await _settle()
        assert statements.count <= executed + 1
        assert guard.counts.completed == 0
        async with httpx.AsyncClient(base_url=base) as patient:
            await _answers_normally(patient)


async def test_work_that_awaits_is_cancelled_as_soon_as_its_client_goes() -> None:
    """Through uvicorn, with a deadline far away: the disconnect alone cancels the work (a
    level of synchronous completion is bounded by the deadline instead: the loop cannot see
    a disconnect while it runs)."""
    cancelled = asyncio.Event()

    async def awaiting(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    guard = RequestGuard(awaiting, default_ms=60_000)
    async with served(guard, PORTS["awaiting_disconnect"]) as base:
        await asyncio.to_thread(_impatient_post, f"{base}/graphql")
        await asyncio.wait_for(cancelled.wait(), timeout=30)  # a hang fails, not a slow host
    assert (guard.counts.disconnected, guard.counts.deadline_passed) == (1, 0)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_above_the_limit_is_413(
    client: httpx.AsyncClient, orders_app: Starlette, chunked: bool
) -> None:
    guard: RequestGuard = orders_app.state.guard
    padding = " " * (guard.max_body_bytes + 1)
    payload = ('{"query": "{ order(id: \\"1\\") { id } }' + padding + '"}').encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 65536):
            yield payload[start : start + 65536]

    response = await client.post(
        "/graphql",
        content=chunks() if chunked else payload,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert guard.counts.too_large == 1
    await _answers_normally(client)


async def test_execution_that_stops_itself_at_the_deadline_is_counted() -> None:
    """The executor's own deadline check (execution_deadline) can end the request's task as
    cancelled before the guard's timer fires (a long synchronous stretch on a busy
    machine): still a TIMEOUT, and still counted as a passed deadline."""

    async def stops_itself(scope: Scope, receive: Receive, send: Send) -> None:
        raise asyncio.CancelledError("the request's deadline has passed")

    guard = RequestGuard(stops_itself, default_ms=60_000)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=guard), base_url="http://orders.test"
    ) as client:
        response = await client.post("/graphql", json=NORMAL)
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert (guard.counts.deadline_passed, guard.counts.completed) == (1, 0)
