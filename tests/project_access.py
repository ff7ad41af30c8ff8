"""The one place the tests build routers over the project graph with a credential.

The router enforces the access directives of ``schema.graphql`` whatever its configuration,
so a test reading customers or orders through it must be a caller allowed to. Routers of
the project graph come from :func:`project_platform` (the development platform with the
tests' HS256 credentials), and :func:`router_client` sends a staff token with every scope of
the catalogue unless asked for an ``anonymous`` client; tests calling ``Router.prepare``
directly pass :data:`STAFF`. Tests about anonymous or partial access opt out with
``anonymous=True`` or their own tokens from :data:`TEST_CREDENTIALS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager

import httpx
from starlette.types import ASGIApp

from models.database import Database
from platform_cli.dev import Platform, wire_platform
from platform_cli.dev_credentials import STAFF_IDENTITY, DevCredentials

__all__ = [
    "DEV_PROCESS_STAFF_HEADERS",
    "STAFF",
    "STAFF_HEADERS",
    "TEST_CREDENTIALS",
    "project_platform",
    "router_client",
]

TEST_CREDENTIALS = DevCredentials(secret="tests-only-hs256-secret-of-the-project-0123456789")
STAFF_HEADERS = {"authorization": f"Bearer {TEST_CREDENTIALS.staff_token(ttl_seconds=7 * 86400)}"}
STAFF = STAFF_IDENTITY  # what a staff token verifies to, for Router.prepare(request, STAFF)
# a `python -m platform_cli dev` process verifies the development platform's own tokens
DEV_PROCESS_STAFF_HEADERS = {"authorization": f"Bearer {DevCredentials().staff_token()}"}


def project_platform(
    databases: Mapping[str, Database], supergraph_sdl: str
) -> AbstractAsyncContextManager[Platform]:
    return wire_platform(databases, supergraph_sdl, TEST_CREDENTIALS)


def router_client(
    app: ASGIApp, *, anonymous: bool = False, base_url: str = "http://router"
) -> httpx.AsyncClient:
    """An in-process client of ``app`` sending the staff token (none when ``anonymous``)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=base_url,
        headers=None if anonymous else STAFF_HEADERS,
    )
