"""A client of the fleet router app with persisted queries, trusted documents and CSRF
configured as a test needs (the fleet's subgraphs run in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from router.csrf import CsrfPrevention
from router.operation_documents import OperationDocuments
from router.security_headers import SecurityHeadersConfig
from router.server import create_app
from tests.router.test_graphiql import fleet_router

__all__ = ["QUERY", "fleet_client", "persisted"]

QUERY = "{ topProducts { name } }"


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


@asynccontextmanager
async def fleet_client(
    documents: OperationDocuments | None = None,
    *,
    csrf: CsrfPrevention | None = None,
    security_headers: SecurityHeadersConfig | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        fleet_router(), documents=documents, csrf=csrf, security_headers=security_headers
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://router") as client,
    ):
        yield client
