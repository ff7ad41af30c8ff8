"""A subgraph whose database is unreachable answers SERVICE_UNAVAILABLE, not
INTERNAL_SERVER_ERROR, logs one line per interval with a count instead of a traceback per
request (issue 9, item 12), and answers normally once the database is back."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.database import Database, open_database
from subgraphs.common import errors
from subgraphs.registry import create_app
from tests.subgraphs.hostile.outage import Outage
from tests.subgraphs.hostile.serving import PORTS

CUSTOMER = {"query": 'query { customer(id: "1") { id } }'}
REQUESTS = 40


@pytest.fixture
async def outage(database: Database, tmp_path: Path) -> AsyncIterator[Outage]:
    down = Outage(database, tmp_path, PORTS["postgres_relay"])
    yield down
    await down.close()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or ()]


async def test_an_unreachable_database_is_service_unavailable_and_logged_once(
    outage: Outage, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(errors._outages, "clock", clock)
    monkeypatch.setattr(errors._outages, "_last", {})
    monkeypatch.setattr(errors._outages, "_count", {})
    database = open_database(outage.url)
    app = create_app("customers", database, create_tables=False)
    caplog.set_level(logging.WARNING)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://customers.test"
        ) as client:
            for _ in range(REQUESTS):
                body = (await client.post("/graphql", json=CUSTOMER)).json()
                assert _codes(body) == ["SERVICE_UNAVAILABLE"], body
                assert body["data"] == {"customer": None}
            lines = [r for r in caplog.records if r.name == "subgraphs.errors"]
            assert [r.levelname for r in lines] == ["WARNING"]
            assert lines[0].exc_info is None
            assert "database unavailable" in lines[0].getMessage()

            clock.now += errors._outages.interval
            body = (await client.post("/graphql", json=CUSTOMER)).json()
            assert _codes(body) == ["SERVICE_UNAVAILABLE"]
            lines = [r for r in caplog.records if r.name == "subgraphs.errors"]
            assert len(lines) == 2
            assert f"({REQUESTS} times in the last" in lines[1].getMessage()

            await outage.up()
            body = (await client.post("/graphql", json=CUSTOMER)).json()
            assert body == {"data": {"customer": {"id": "1"}}}
    finally:
        await database.dispose()


async def test_other_unexpected_errors_stay_internal(
    graphql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subgraphs.customers import loaders

    async def broken(*_args: Any) -> list[Any]:
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(loaders, "customers_by_id", broken)
    body = await graphql("customers", CUSTOMER["query"])
    assert _codes(body) == ["INTERNAL_SERVER_ERROR"]
