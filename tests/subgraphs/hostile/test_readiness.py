"""A subgraph started while its database is unreachable keeps retrying with backoff,
reports "starting" on /ready (/health, liveness, stays 200) and SERVICE_UNAVAILABLE on
/graphql meanwhile, and serves once the database answers (issue 9, item 13). A started
subgraph whose database stops answering is alive but not ready."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx

from models.database import Database, open_database
from subgraphs.registry import create_app
from tests.subgraphs.hostile.outage import Outage
from tests.subgraphs.hostile.serving import PORTS, served

CUSTOMER = {"query": 'query { customer(id: "1") { id name } }'}


async def _until(condition: Callable[[], bool]) -> None:
    """Wait for ``condition()``; the suite's timeout bounds the wait, no threshold here."""
    while not condition():
        await asyncio.sleep(0.02)


async def test_a_subgraph_started_without_its_database_becomes_ready(
    database: Database, tmp_path: Path
) -> None:
    outage = Outage(database, tmp_path, PORTS["postgres_relay"])
    store = open_database(outage.url)
    app = create_app("customers", store)
    readiness = app.state.readiness
    try:
        async with (
            served(app, PORTS["readiness"]) as base,
            httpx.AsyncClient(base_url=base) as client,
        ):
            await _until(lambda: readiness.attempts >= 3)
            ready = await client.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["status"] == "starting"
            health = await client.get("/health")  # alive all the same: no restart
            assert (health.status_code, health.json()["status"]) == (200, "starting")
            response = await client.post("/graphql", json=CUSTOMER)
            assert response.status_code == 503
            assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

            await outage.up()
            await _until(lambda: readiness.ready)
            assert (await client.get("/ready")).json()["status"] == "ok"
            assert (await client.get("/health")).json()["status"] == "ok"
            body = (await client.post("/graphql", json=CUSTOMER)).json()
            assert body["data"]["customer"]["id"] == "1"
    finally:
        await outage.close()
        await store.dispose()


async def test_a_mounted_app_is_ready_without_a_lifespan(database: Database) -> None:
    app = create_app("customers", database, create_tables=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://customers.test"
    ) as client:
        assert (await client.get("/health")).json()["status"] == "ok"


async def test_a_subgraph_whose_database_does_not_answer_is_alive_but_not_ready() -> None:
    store = open_database("postgresql+asyncpg://postgres@127.0.0.1:7999/nowhere")  # closed
    app = create_app("customers", store, create_tables=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://customers.test"
        ) as client:
            ready = await client.get("/ready")
            health = await client.get("/health")
    finally:
        await store.dispose()
    assert (ready.status_code, ready.json()["status"]) == (503, "unavailable")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
