"""Every statement runs under a time limit (issue 9, item 7): PostgreSQL's
``statement_timeout``, SQLite's progress handler. A runaway statement is stopped (and counts
as "unavailable"), and the same engine answers the next statement normally."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models import statement_timeout
from models.database import open_database
from models.database_errors import is_unavailable

# Would run for minutes (SQLite: a billion rows counted; PostgreSQL: sleeps an hour).
_RUNAWAY = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 1000000000) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(3600)",
}


def _url(tmp_path: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'timeout.db'}"


async def test_a_runaway_statement_is_stopped_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statement_timeout, "STATEMENT_TIMEOUT_MS", 200)
    database = open_database(_url(tmp_path))
    try:
        dialect = database.engine.dialect.name
        with pytest.raises(DBAPIError) as raised:
            async with database.engine.connect() as connection:
                await connection.execute(text(_RUNAWAY[dialect]))
        assert is_unavailable(raised.value), raised.value
        async with database.engine.connect() as connection:
            assert await connection.scalar(text("SELECT 41 + 1")) == 42
    finally:
        await database.dispose()


async def test_ordinary_statements_are_not_limited_by_the_default(tmp_path: Path) -> None:
    assert statement_timeout.STATEMENT_TIMEOUT_MS >= 1000
    database = open_database(_url(tmp_path))
    try:
        async with database.engine.connect() as connection:
            query = (
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                "WHERE x < 1000) SELECT count(*) FROM c"
            )
            assert await connection.scalar(text(query)) == 1000
    finally:
        await database.dispose()
