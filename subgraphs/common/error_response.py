"""A GraphQL error answered straight from the ASGI layer, before or instead of execution
(body too large, deadline passed, database not ready): ``{"data": null, "errors": [...]}``
with a stable ``extensions.code``, so the router and peers read it like any other error."""

from __future__ import annotations

import orjson
from starlette.types import Send

__all__ = ["send_graphql_error"]


async def send_graphql_error(send: Send, status: int, message: str, code: str) -> None:
    body = orjson.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
