"""Supergraph hot reload: requests sent continuously while the file changes (valid, then
invalid, then valid) all succeed; the new field becomes queryable; a request in flight
during the swap finishes on the supergraph it started with; an invalid file is refused
with a log line while the old supergraph keeps serving."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from router.pipeline import Router
from router.server import create_app
from router.supergraph_reload import SupergraphReloader
from tests.router.flaky_subgraph import FlakySubgraph, running
from tests.router.planning.support import compose_supergraph

_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
V1 = compose_supergraph({"a": _LINK + "type Query { n: Int gone: Int }"})
V2 = compose_supergraph({"a": _LINK + "type Query { n: Int extra: Int }"})
V3 = compose_supergraph({"a": _LINK + "type Query { n: Int extra: Int more: Int }"})
OTHER_SUBGRAPHS = compose_supergraph({"b": _LINK + "type Query { n: Int }"})


class Served:
    def __init__(self, subgraph: FlakySubgraph, path: Path) -> None:
        path.write_text(V1, encoding="utf-8")
        urls = {"a": subgraph.url}
        self.router = Router.from_supergraph_sdl(V1, subgraph_urls=urls)

        def build(sdl: str) -> Router:
            return Router.from_supergraph_sdl(sdl, clients=self.router.clients)

        self.reloader = SupergraphReloader(path, self.router, build, loaded_sdl=V1)
        app = create_app(self.router, reloader=self.reloader)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://router.test"
        )
        self.path = path

    async def ask(self, query: str) -> httpx.Response:
        return await self.client.post("/graphql", json={"query": query})

    async def write(self, sdl: str) -> bool:
        self.path.write_text(sdl, encoding="utf-8")
        return await self.reloader.reload()

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.router.aclose()


def answered(response: httpx.Response, field: str) -> bool:
    body: dict[str, Any] = response.json()
    return response.status_code == 200 and "errors" not in body and field in body["data"]


async def test_reloads_under_load_with_zero_failed_requests(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.fields.update(gone=1, extra=2, more=3)
        served = Served(subgraph, tmp_path / "schema.graphql")
        failures: list[str] = []
        sent = 0
        stop = asyncio.Event()

        async def load() -> None:
            nonlocal sent
            while not stop.is_set():
                response = await served.ask("{ n }")
                sent += 1
                if not answered(response, "n"):
                    failures.append(response.text)

        async def requests_meanwhile(count: int = 20) -> None:
            target = sent + count
            for _ in range(10_000):
                if sent >= target:
                    return
                await asyncio.sleep(0.001)
            raise AssertionError("the load stalled")

        loaders = [asyncio.create_task(load()) for _ in range(4)]
        try:
            await requests_meanwhile()
            assert not answered(await served.ask("{ extra }"), "extra")
            with caplog.at_level(logging.INFO, logger="router.supergraph_reload"):
                assert await served.write(V2)
                await requests_meanwhile()
                assert answered(await served.ask("{ extra }"), "extra")
                assert not await served.write("type Query {")  # invalid: refused
                await requests_meanwhile()
                assert not await served.write(OTHER_SUBGRAPHS)  # valid, other subgraphs
                await requests_meanwhile()
                assert answered(await served.ask("{ extra }"), "extra")  # still V2
                assert await served.write(V3)
                await requests_meanwhile()
                assert answered(await served.ask("{ more }"), "more")
        finally:
            stop.set()
            await asyncio.gather(*loaders)
            await served.aclose()
    assert failures == []
    assert sent >= 100
    refused = [r.message for r in caplog.records if "reload refused" in r.message]
    assert len(refused) == 2
    assert "still serving sha256" in refused[0] and "restart the router" in refused[1]
    assert served.reloader.reloads == 2


async def test_a_request_in_flight_finishes_on_the_old_supergraph(tmp_path: Path) -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.fields["gone"] = 7
        subgraph.plan = ["hold"]
        served = Served(subgraph, tmp_path / "schema.graphql")
        try:
            held = asyncio.create_task(served.ask("{ gone }"))
            for _ in range(5000):
                if subgraph.holding:
                    break
                await asyncio.sleep(0.001)
            assert subgraph.holding == 1
            assert await served.write(V2)  # Query.gone is no more
            subgraph.release.set()
            response = await held
            assert response.json() == {"data": {"gone": 7}}
            after = (await served.ask("{ gone }")).json()
            assert after["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        finally:
            await served.aclose()


async def test_the_same_file_is_not_loaded_twice_and_ready_reports_it(tmp_path: Path) -> None:
    async with running(FlakySubgraph()) as subgraph:
        served = Served(subgraph, tmp_path / "schema.graphql")
        try:
            assert not await served.reloader.reload()  # unchanged
            assert await served.write(V2)
            ready = (await served.client.get("/ready")).json()
            assert ready["status"] == "ready"
            assert ready["supergraph"]["reloads"] == 1
            assert ready["supergraph"]["sha256"] == served.reloader.digest
            assert not await served.write("not a schema")
            ready = (await served.client.get("/ready")).json()
            assert "SupergraphError" in ready["supergraph"]["lastReloadError"]
        finally:
            await served.aclose()


async def test_the_watcher_notices_a_changed_file(tmp_path: Path) -> None:
    async with running(FlakySubgraph()) as subgraph:
        subgraph.fields["extra"] = 1
        served = Served(subgraph, tmp_path / "schema.graphql")
        served.reloader.poll_seconds = 0.01
        await served.reloader.start()
        try:
            served.path.write_text(V2, encoding="utf-8")
            for _ in range(3000):
                if served.reloader.reloads:
                    break
                await asyncio.sleep(0.01)
            assert served.reloader.reloads == 1
            assert answered(await served.ask("{ extra }"), "extra")
        finally:
            await served.reloader.stop()
            await served.aclose()
