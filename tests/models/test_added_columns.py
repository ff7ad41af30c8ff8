"""A database created before ``orders.channel`` and ``reservations.expires_at`` existed
gains them on the next ``create_tables``: old orders are ONLINE, old reservations have no
expiry (never swept)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from models import inventory, orders
from models.database import open_database


async def test_an_older_database_gains_the_new_columns(tmp_path: Path) -> None:
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with database.engine.begin() as connection:
            for statement in (
                "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id BIGINT, status"
                " VARCHAR(16), currency VARCHAR(3), total_minor BIGINT, idempotency_key"
                " VARCHAR(128), created_at DATETIME, updated_at DATETIME)",
                "INSERT INTO orders VALUES"
                " (1, 3, 'PAID', 'CNY', 100, NULL, '2026-01-01', '2026-01-01')",
                "CREATE TABLE reservations (id INTEGER PRIMARY KEY, reference VARCHAR(128),"
                " product_id BIGINT, warehouse_id INTEGER, quantity INTEGER, status VARCHAR(16),"
                " created_at DATETIME)",
                "INSERT INTO reservations VALUES (1, 'r', 5, 1, 2, 'ACTIVE', '2026-01-01')",
            ):
                await connection.execute(text(statement))
        await database.create_tables(orders.Base.metadata)
        await database.create_tables(inventory.Base.metadata)
        async with database.engine.connect() as connection:
            channel = await connection.scalar(text("SELECT channel FROM orders WHERE id = 1"))
            expires = await connection.scalar(text("SELECT expires_at FROM reservations"))
        assert (channel, expires) == ("ONLINE", None)
    finally:
        await database.dispose()
