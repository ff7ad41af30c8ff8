"""A time limit for every SQL statement, so no statement outlives the request that sent
it by much (the request itself is cancelled at its deadline: ``subgraphs.common.deadline``).

PostgreSQL enforces ``statement_timeout`` itself (set per connection at connect time) and
answers SQLSTATE 57014. SQLite has no such setting: a progress handler, called every few
thousand virtual-machine instructions, interrupts a statement that has run longer than the
limit (``sqlite3.OperationalError: interrupted``). Both count as "unavailable" in
``models.database_errors``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_only

__all__ = ["STATEMENT_TIMEOUT_MS", "limit_sqlite_statements", "postgresql_connect_args"]

STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "10000"))
_CHECK_EVERY = 10_000  # SQLite VM instructions between two looks at the clock
_STARTED = "statement_started"


def postgresql_connect_args(timeout_ms: int | None = None) -> dict[str, Any]:
    """``connect_args`` for asyncpg that set the server's ``statement_timeout`` (default:
    :data:`STATEMENT_TIMEOUT_MS`)."""
    limit = STATEMENT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    return {"server_settings": {"statement_timeout": str(limit)}}


class _Clock:
    """When the connection's current statement started (0: none running)."""

    __slots__ = ("limit", "started")

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.started = 0.0

    def overdue(self) -> int:
        # Runs in aiosqlite's worker thread; non-zero interrupts the statement.
        started = self.started
        return int(started != 0.0 and time.monotonic() - started > self.limit)


def limit_sqlite_statements(engine: Engine, timeout_ms: int | None = None) -> None:
    """Interrupt any statement on ``engine`` (an aiosqlite engine's sync engine) that runs
    longer than ``timeout_ms`` (default: :data:`STATEMENT_TIMEOUT_MS`)."""
    limit = (STATEMENT_TIMEOUT_MS if timeout_ms is None else timeout_ms) / 1000

    def on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        clock = record.info[_STARTED] = _Clock(limit)
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None:  # aiosqlite: the handler is set in its worker thread
            await_only(driver.set_progress_handler(clock.overdue, _CHECK_EVERY))
        else:  # pragma: no cover - plain sqlite3
            dbapi_connection.set_progress_handler(clock.overdue, _CHECK_EVERY)

    def before(conn: Any, *_args: Any) -> None:
        clock = conn.connection.info.get(_STARTED)
        if clock is not None:
            clock.started = time.monotonic()

    def after(conn: Any, *_args: Any) -> None:
        clock = conn.connection.info.get(_STARTED)
        if clock is not None:
            clock.started = 0.0

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
