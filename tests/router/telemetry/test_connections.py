"""``router_subgraph_connections``: the router's kept-alive subgraph connections, in use and
idle, read from the real HTTP/1.1 pool at scrape time."""

from __future__ import annotations

import asyncio

from prometheus_client import generate_latest

from router.subgraph_client import SubgraphClients
from router.telemetry.metrics import ConnectionsCollector, RouterMetrics

PORT = 7905  # helper J's range
BODY = b'{"data":{"ok":true}}'


async def test_connections_in_use_then_idle() -> None:
    release = asyncio.Event()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.readuntil(b"\r\n\r\n"):
            await release.wait()
            head = (
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
            )
            writer.write(head % len(BODY) + BODY)
            await writer.drain()

    server = await asyncio.start_server(answer, "127.0.0.1", PORT)
    clients = SubgraphClients({"a": f"http://127.0.0.1:{PORT}/graphql"})
    metrics = RouterMetrics()
    metrics.register([ConnectionsCollector(clients.pool_usage)])
    try:
        pending = asyncio.create_task(clients.fetch("a", "{ ok }", None))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if clients.pool_usage()["a"] == (1, 0):
                break
        busy = generate_latest(metrics.registry).decode()
        release.set()
        assert await pending == {"data": {"ok": True}}
        idle = generate_latest(metrics.registry).decode()
    finally:
        await clients.aclose()
        server.close()
        await server.wait_closed()
    assert 'router_subgraph_connections{state="in_use",subgraph="a"} 1.0' in busy
    assert 'router_subgraph_connections{state="in_use",subgraph="a"} 0.0' in idle
    assert 'router_subgraph_connections{state="idle",subgraph="a"} 1.0' in idle
