"""Engine and session factory for one domain's store.

``DATABASE_URL`` selects the store (``postgresql+asyncpg://...`` in production); a domain
can be pointed elsewhere with ``DATABASE_URL_<DOMAIN>`` (e.g. ``DATABASE_URL_ORDERS``) when
the subgraphs run as separate processes on separate databases. The embedded default is a
SQLite file under ``var/`` so that a fresh machine needs no server. Every statement runs
under a time limit (``models.statement_timeout``).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from models.statement_timeout import limit_sqlite_statements, postgresql_connect_args

__all__ = ["DEFAULT_SQLITE_PATH", "Database", "database_url", "open_database"]

DEFAULT_SQLITE_PATH = Path("var") / "ops-platform.db"


def database_url(domain: str | None = None) -> str:
    """The URL for ``domain``: its own variable, else ``DATABASE_URL``, else embedded SQLite."""
    if domain:
        specific = os.environ.get(f"DATABASE_URL_{domain.upper()}")
        if specific:
            return specific
    return os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"


def _enable_sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@dataclass(frozen=True, slots=True)
class Database:
    """An engine and its session factories; the owner disposes of the engine at shutdown.

    ``sessions`` open a transaction (writes, and reads that must be consistent with them);
    ``reads`` run each statement in autocommit, for the batch loads behind entity
    resolution: one SELECT each, so a BEGIN/ROLLBACK pair around it is two round trips of
    pure overhead (16 per customer-360 request, measured on asyncpg).
    """

    engine: AsyncEngine
    read_engine: AsyncEngine  # the same pool, every statement in autocommit
    sessions: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def create_tables(self, metadata: MetaData) -> None:
        """``create_all`` for ad-hoc tables (tests); the platform's own tables are made and
        changed by migrations (:mod:`models.migrate`)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    async def drop_tables(self, metadata: MetaData) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)

    async def dispose(self) -> None:
        await self.engine.dispose()


def open_database(url: str | None = None, **engine_options: Any) -> Database:
    """Create the engine for ``url`` (default: :func:`database_url`) and its session factory."""
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            # Best effort: an unusable path fails on first use, where it is retried.
            with contextlib.suppress(OSError):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **engine_options)
        event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
        limit_sqlite_statements(engine.sync_engine)
    else:
        # A fixed pool (overflow connections are closed after each use, which measured as
        # one new PostgreSQL connection per request under load) that five subgraph
        # processes can hold at once within PostgreSQL's default max_connections of 100.
        # Connections are recycled instead of pinged: a pre-ping is a round trip per checkout.
        engine_options.setdefault("pool_size", int(os.environ.get("DATABASE_POOL_SIZE", "16")))
        engine_options.setdefault("max_overflow", 0)
        engine_options.setdefault("pool_recycle", 1800)
        if url.startswith("postgresql+asyncpg"):
            connect_args = dict(engine_options.get("connect_args") or {})
            settings = dict(connect_args.get("server_settings") or {})
            connect_args["server_settings"] = {
                **postgresql_connect_args()["server_settings"],
                **settings,
            }
            engine_options["connect_args"] = connect_args
        engine = create_async_engine(url, **engine_options)
    read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return Database(
        engine,
        read_engine,
        async_sessionmaker(engine, expire_on_commit=False),
        async_sessionmaker(read_engine, expire_on_commit=False),
    )
