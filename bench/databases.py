"""The seeded PostgreSQL databases of the data-layer benchmark, one per scale, kept between
runs.

A database is reused when its marker row (written only after a complete seed and
``ANALYZE``) matches the scale and its ``orders`` table holds that many rows; otherwise it is
re-seeded with ``python -m models.seed --reset``. ``BENCH_POSTGRES_URL`` points at the
server (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import NamedTuple

import asyncpg

from bench.environment import REPO_ROOT

__all__ = [
    "SCALES",
    "DataScale",
    "SeedError",
    "asyncpg_url",
    "ensure_seeded",
    "postgres_version",
    "sqlalchemy_url",
]

_SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_MARKER_TABLE = "bench_seed_marker"


class SeedError(RuntimeError):
    """The database could not be created or seeded."""


class DataScale(NamedTuple):
    label: str
    orders: int
    customers: int

    @property
    def database(self) -> str:
        return f"bench_{self.label.lower()}"


SCALES = (
    DataScale("10k", 10_000, 1_000),
    DataScale("100k", 100_000, 10_000),
    DataScale("1M", 1_000_000, 100_000),
)


def asyncpg_url(database: str) -> str:
    return _SERVER_URL.rsplit("/", 1)[0] + f"/{database}"


def sqlalchemy_url(database: str) -> str:
    return asyncpg_url(database).replace("postgresql://", "postgresql+asyncpg://", 1)


async def postgres_version() -> str | None:
    try:
        connection = await asyncpg.connect(_SERVER_URL, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return None
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


async def _create_database(name: str) -> None:
    connection = await asyncpg.connect(_SERVER_URL, timeout=5)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _is_seeded(scale: DataScale) -> bool:
    connection = await asyncpg.connect(asyncpg_url(scale.database), timeout=5)
    try:
        if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", _MARKER_TABLE):
            return False
        marker = await connection.fetchrow(f"SELECT orders, customers FROM {_MARKER_TABLE}")
        if marker is None or tuple(marker) != (scale.orders, scale.customers):
            return False
        return bool(await connection.fetchval("SELECT count(*) FROM orders") == scale.orders)
    finally:
        await connection.close()


async def _mark_seeded(scale: DataScale) -> None:
    connection = await asyncpg.connect(asyncpg_url(scale.database), timeout=5)
    try:
        await connection.execute("ANALYZE")
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {_MARKER_TABLE} (orders bigint, customers bigint)"
        )
        await connection.execute(f"DELETE FROM {_MARKER_TABLE}")
        await connection.execute(
            f"INSERT INTO {_MARKER_TABLE} VALUES ($1, $2)", scale.orders, scale.customers
        )
    finally:
        await connection.close()


async def ensure_seeded(scale: DataScale) -> float | None:
    """Seed ``scale``'s database unless it already holds it; returns the seconds spent
    seeding, or ``None`` when the existing data was reused."""
    try:
        await _create_database(scale.database)
        if await _is_seeded(scale):
            return None
    except (OSError, asyncpg.PostgresError) as error:
        raise SeedError(f"PostgreSQL: {error}") from error
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "models.seed", "--customers", str(scale.customers),
         "--orders", str(scale.orders), "--reset", "--quiet"],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": sqlalchemy_url(scale.database)},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-6:])
        raise SeedError(f"seeding {scale.database} failed:\n{tail}")
    await _mark_seeded(scale)
    return time.perf_counter() - started
