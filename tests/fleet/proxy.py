"""A counting reverse proxy, to see how many requests Apollo Gateway sends each subgraph.

The recorder routes Apollo's supergraph to ``http://127.0.0.1:PORT/<subgraph>``; the proxy
forwards each POST body to that subgraph's real URL and counts it. The plan's ``Fetch``
count is only an upper bound: Apollo skips an entity fetch with no representations, and
only one branch of a ``Condition`` node runs.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

import httpx
import uvicorn
from starlette.types import Message, Receive, Scope, Send

from tests.fleet.apps import FLEET_HOST

__all__ = ["CountingProxy", "proxy_urls", "serving"]


class CountingProxy:
    """ASGI app: ``POST /<name>`` goes to ``upstreams[name]``; ``requests`` counts them."""

    def __init__(
        self, upstreams: Mapping[str, str], transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.requests: Counter[str] = Counter()
        self._upstreams = dict(upstreams)
        self._transport = transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        name = scope["path"].strip("/")
        body = await _read_body(receive)
        upstream = self._upstreams.get(name)
        if upstream is None:
            await _respond(send, 404, b"text/plain", f"no subgraph {name!r}".encode())
            return
        self.requests[name] += 1
        headers = {"content-type": "application/json", "accept": "application/json"}
        async with httpx.AsyncClient(transport=self._transport, timeout=30.0) as client:
            response = await client.post(upstream, content=body, headers=headers)
        content_type = response.headers.get("content-type", "application/json").encode()
        await _respond(send, response.status_code, content_type, response.content)


def proxy_urls(names: Iterable[str], port: int) -> dict[str, str]:
    """The URL under which the proxy at ``port`` forwards to each subgraph."""
    return {name: f"http://{FLEET_HOST}:{port}/{name}" for name in names}


@contextlib.contextmanager
def serving(app: CountingProxy, port: int) -> Iterator[None]:
    """Serve ``app`` on ``port`` from a background thread until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host=FLEET_HOST, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError(f"proxy failed to listen on port {port}")
            threading.Event().wait(0.02)
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def _respond(send: Send, status: int, content_type: bytes, body: bytes) -> None:
    headers = [(b"content-type", content_type)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
