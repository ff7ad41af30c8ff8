"""Call ASGI apps in-process through httpx, routed by URL origin.

The development platform and the tests mount every subgraph in one process: the router's
and the domains' HTTP clients keep using real URLs, and this transport delivers each
request to the app that owns the URL's origin (scheme://host:port), with no socket.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from starlette.types import ASGIApp

__all__ = ["MountedTransport"]


class MountedTransport(httpx.AsyncBaseTransport):
    def __init__(self, apps: Mapping[str, ASGIApp] | None = None) -> None:
        """``apps`` maps a URL (only its origin counts) to the ASGI app serving it."""
        self._transports: dict[tuple[str, str, int | None], httpx.ASGITransport] = {}
        for url, app in (apps or {}).items():
            self.mount(url, app)

    def mount(self, url: str, app: ASGIApp) -> None:
        self._transports[_origin(httpx.URL(url))] = httpx.ASGITransport(app=app)

    def unmount(self, url: str) -> None:
        """Take the app at ``url`` away: requests to it fail as if its host refused them."""
        self._transports.pop(_origin(httpx.URL(url)), None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._transports.get(_origin(request.url))
        if transport is None:
            raise httpx.ConnectError(f"nothing is mounted at {request.url}", request=request)
        return await transport.handle_async_request(request)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)
