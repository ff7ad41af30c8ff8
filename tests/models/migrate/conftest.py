"""A database of its own for each migration test: a SQLite file, or a scratch database
(``migr_<random>``) on the PostgreSQL server of ``DATABASE_URL``, dropped afterwards, so
no other test's tables are touched."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from models.database import Database, open_database


async def _admin(url: str) -> asyncpg.Connection:
    server = make_url(url).set(drivername="postgresql", database="postgres")
    return await asyncpg.connect(server.render_as_string(hide_password=False))


@pytest.fixture
async def scratch_url(tmp_path: Path) -> AsyncIterator[str]:
    shared = os.environ.get("DATABASE_URL") or ""
    if not shared.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"migr_{secrets.token_hex(6)}"
    admin = await _admin(shared)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield make_url(shared).set(database=name).render_as_string(hide_password=False)
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def scratch(scratch_url: str) -> AsyncIterator[Database]:
    database = open_database(scratch_url)
    yield database
    await database.dispose()
