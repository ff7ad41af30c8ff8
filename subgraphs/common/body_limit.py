"""Read a request body up to a size limit: a declared ``content-length`` above it is refused
before reading anything, a chunked body as soon as it passes it (a 50 MB body was read and
parsed whole)."""

from __future__ import annotations

import os

from starlette.types import Receive, Scope

__all__ = ["MAX_BODY_BYTES", "ClientGone", "PayloadTooLarge", "read_body"]

MAX_BODY_BYTES = int(os.environ.get("SUBGRAPH_MAX_BODY_BYTES", str(1024 * 1024)))


class PayloadTooLarge(Exception):
    """The body is larger than the limit."""


class ClientGone(Exception):
    """The client disconnected before its body was complete."""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_body(scope: Scope, receive: Receive, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        raise PayloadTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
