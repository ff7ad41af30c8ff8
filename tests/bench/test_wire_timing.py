from __future__ import annotations

import asyncio

import httpx

from bench.wire_timing import WireTimingLoop, busy_time

PORT = 14890
DELAY = 0.05
REQUEST = b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}"


async def _slow_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length")),
                0,
            )  # fmt: skip
            await reader.readexactly(length)
            await asyncio.sleep(DELAY)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
        await writer.wait_closed()


async def _streams_client(url_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", url_port)
    for _ in range(2):
        writer.write(REQUEST[:20])
        writer.write(REQUEST[20:])  # headers and body in two writes: still one interval
        await reader.readuntil(b"\r\n\r\n{}")
    writer.close()
    await writer.wait_closed()


async def _exercise(loop: WireTimingLoop) -> tuple[list[tuple[str, float, float]], float]:
    handlers: list[asyncio.Task[None]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        await _slow_http(reader, writer)

    server = await asyncio.start_server(handle, "127.0.0.1", PORT)
    try:
        await _streams_client(PORT)
        async with httpx.AsyncClient() as client:
            started = loop.time()
            response = await client.post(f"http://127.0.0.1:{PORT}/graphql", content=b"{}")
            httpx_elapsed = loop.time() - started
            assert response.json() == {}
        return loop.take_intervals(), httpx_elapsed
    finally:
        server.close()
        await asyncio.gather(*handlers)  # every client closed: each handler sees EOF
        await server.wait_closed()


def test_one_wire_interval_per_request_on_any_client() -> None:
    loop = WireTimingLoop()
    with asyncio.Runner(loop_factory=lambda: loop) as runner:
        intervals, httpx_elapsed = runner.run(_exercise(loop))
    assert len(intervals) == 3  # two over asyncio streams, one through httpx
    assert all(peer == f"127.0.0.1:{PORT}" for peer, _, _ in intervals)
    assert all(DELAY <= end - start < DELAY + 0.5 for _, start, end in intervals)
    assert intervals[-1][2] - intervals[-1][1] <= httpx_elapsed
    assert loop.take_intervals() == []


def test_busy_time_counts_overlaps_once() -> None:
    assert busy_time([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0)]) == 4.0
