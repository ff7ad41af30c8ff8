"""Seeding: first start seeds, a second start leaves the data alone, --reset starts over."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from models.customers import Customer
from models.database import open_database
from models.seed.generate import Scale
from models.seed.run import is_empty, seed_domain


async def test_seed_once_then_leave_alone(tmp_path: Path) -> None:
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'seed.db'}")
    scale = Scale(customers=12, orders=20, products=8)
    try:
        assert await seed_domain(database, "customers", scale, show_progress=False)
        assert not await is_empty(database, "customers")
        assert not await seed_domain(database, "customers", scale, show_progress=False)
        async with database.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Customer)) == 12
        assert await seed_domain(
            database, "customers", Scale(customers=5), reset=True, show_progress=False
        )
        async with database.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Customer)) == 5
    finally:
        await database.dispose()
