"""Which database failures mean "the store is unavailable" (the request may succeed later)
rather than "this request is wrong": a refused or lost connection, a pool or statement
timeout, an SQLite file that cannot be opened or a statement interrupted at its timeout.

Subgraphs answer those SERVICE_UNAVAILABLE (and log them rate-limited) instead of masking
them as INTERNAL_SERVER_ERROR with a traceback each.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator

from sqlalchemy import exc

__all__ = ["is_unavailable"]

# PostgreSQL SQLSTATEs: class 08 (connection exception), 53300 too many connections,
# 57014 query canceled (statement_timeout), 57P01-57P03 shutdown / cannot connect now.
_UNAVAILABLE_STATES = frozenset({"53300", "57014", "57P01", "57P02", "57P03"})
_NETWORK_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}
)
_SQLITE_UNAVAILABLE = (
    "unable to open database file",
    "interrupted",
    "database is locked",
    "disk i/o error",
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, the DB-API error SQLAlchemy wrapped, and their causes."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        orig = getattr(item, "orig", None)
        stack += [orig if isinstance(orig, BaseException) else None, item.__cause__]


def _one_is_unavailable(error: BaseException) -> bool:
    if isinstance(error, exc.TimeoutError | TimeoutError | ConnectionError | socket.gaierror):
        return True  # pool timeout; asyncio timeout; refused, reset, aborted; unknown host
    if isinstance(error, OSError) and (
        error.errno in _NETWORK_ERRNOS or str(error).startswith("Multiple exceptions:")
    ):
        return True  # unreachable; every address of the host refused (asyncio's message)
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if isinstance(state, str) and (state.startswith("08") or state in _UNAVAILABLE_STATES):
        return True
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return any(message.startswith(text) for text in _SQLITE_UNAVAILABLE)
    return False


def is_unavailable(error: BaseException) -> bool:
    return any(_one_is_unavailable(item) for item in _chain(error))
