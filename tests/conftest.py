"""Shared fixtures: one seeded database per test session (SQLite by default, PostgreSQL when
``DATABASE_URL`` says so), in-process subgraph clients, and a SQL statement counter."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from models.database import Database, open_database
from models.seed.generate import Scale
from models.seed.run import SEEDERS, seed_domain
from subgraphs.common.peers import Peers
from subgraphs.mount import MountedTransport
from subgraphs.registry import DOMAINS, create_app

# Every router the tests build checks each response it sends (router.response_coverage):
# a selected field missing, or null with no subgraph null and no error, fails the test.
os.environ.setdefault("ROUTER_CHECK_COVERAGE", "1")

TEST_SCALE = Scale(customers=60, orders=400, products=48, warehouses=3, seed=7)

GraphQL = Callable[..., Awaitable[dict[str, Any]]]


def subgraph_url(name: str) -> str:
    return f"http://{name}.test/graphql"


@pytest.fixture(scope="session")
async def database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    url = os.environ.get("DATABASE_URL") or (
        f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('db')) / 'test.db'}"
    )
    database = open_database(url)
    for domain in SEEDERS:
        await seed_domain(database, domain, TEST_SCALE, reset=True, show_progress=False)
    yield database
    await database.dispose()


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def statements(database: Database) -> Iterator[StatementCounter]:
    """Every SQL statement the engine sends while the test runs."""
    counter = StatementCounter()
    event.listen(database.engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(database.engine.sync_engine, "before_cursor_execute", counter)


@pytest.fixture
async def http(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that reaches every subgraph in-process at ``subgraph_url(name)``;
    the subgraphs reach each other through it too."""
    transport = MountedTransport()
    async with httpx.AsyncClient(transport=transport) as client:
        peers = Peers(urls={name: subgraph_url(name) for name in DOMAINS}, client=client)
        for name in DOMAINS:
            transport.mount(
                subgraph_url(name), create_app(name, database, peers, create_tables=False)
            )
        yield client


@pytest.fixture
def graphql(http: httpx.AsyncClient) -> GraphQL:
    """``await graphql("customers", query, **variables)`` -> the response body."""

    async def run(subgraph: str, query: str, **variables: Any) -> dict[str, Any]:
        response = await http.post(
            subgraph_url(subgraph), json={"query": query, "variables": variables}
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture(scope="session", autouse=True)
async def _close_leftover_broker_connections() -> AsyncIterator[None]:
    """At the end of the session, while its event loop still runs, close any NATS client a
    test left open (a worker cancelled mid-connect): garbage-collected after the loop has
    closed, its socket is an unraisable ResourceWarning that fails the whole run."""
    yield
    import gc

    from nats.aio.client import Client

    # type(), not isinstance(): a dead weakref proxy among the objects raises on the latter
    leftovers = [o for o in gc.get_objects() if type(o) is Client and not o.is_closed]
    for client in leftovers:
        with contextlib.suppress(Exception):
            await client.close()
    if leftovers:
        print(f"\nclosed {len(leftovers)} NATS connection(s) a test left open")
