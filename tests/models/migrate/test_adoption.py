"""A database made before migrations is adopted: what older versions added at start-up
(missing tables, indexes, columns existing rows can take) is added, then head is recorded;
anything else is refused and nothing recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models.database import Database
from models.migrate import OWNERS, SchemaMismatch, current, differences, owner_of, upgrade
from models.router_audit import APPEND_ONLY_MESSAGE


async def test_tables_made_by_create_all_are_adopted(scratch: Database) -> None:
    for owner in OWNERS.values():
        await scratch.create_tables(owner.metadata)
    for name in OWNERS:
        state = await upgrade(scratch, name)
        assert state.revision == state.head and state.head is not None
        assert await differences(scratch, name) == []


async def test_an_older_database_gains_the_new_columns(scratch: Database) -> None:
    """Made before ``orders.channel`` and ``reservations.expires_at``: old orders are
    ONLINE, old reservations have no expiry (never swept)."""
    await scratch.create_tables(owner_of("orders").metadata)
    await scratch.create_tables(owner_of("inventory").metadata)
    async with scratch.engine.begin() as connection:
        for statement in (
            "DROP INDEX ix_reservations_status_expires_at",
            "ALTER TABLE reservations DROP COLUMN expires_at",
            "ALTER TABLE orders DROP COLUMN channel",
            "INSERT INTO orders (id, customer_id, status, currency, total_minor, created_at,"
            " updated_at) VALUES (1, 3, 'PAID', 'CNY', 100, '2026-01-01', '2026-01-01')",
            "INSERT INTO warehouses (id, code, name, region) VALUES (1, 'W', 'W', 'east')",
            "INSERT INTO reservations (id, reference, product_id, warehouse_id, quantity,"
            " status, created_at) VALUES (1, 'r', 5, 1, 2, 'ACTIVE', '2026-01-01')",
        ):
            await connection.execute(text(statement))
    for name in ("orders", "inventory"):
        state = await upgrade(scratch, name)
        assert state.revision == state.head
        assert await differences(scratch, name) == []
    async with scratch.engine.connect() as connection:
        channel = await connection.scalar(text("SELECT channel FROM orders WHERE id = 1"))
        expires = await connection.scalar(text("SELECT expires_at FROM reservations"))
    assert (channel, expires) == ("ONLINE", None)


async def test_a_missing_table_is_made_with_the_model_s_own_ddl(scratch: Database) -> None:
    """The router's keys from before the audit log existed: the log comes with its triggers."""
    router = owner_of("router").metadata
    await scratch.create_tables(router)
    async with scratch.engine.begin() as connection:
        await connection.execute(text("DROP TABLE router_audit_log"))
    await upgrade(scratch, "router")
    async with scratch.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO router_audit_log (record_id, at, caller_kind, operation_type,"
                " operation_sha256, fields, entities, outcome, error_codes) VALUES"
                " ('r', '2026-01-01', 'user', 'query', 'x', '[]', '[]', 'ok', '[]')"
            )
        )
    with pytest.raises(DBAPIError, match=APPEND_ONLY_MESSAGE):
        async with scratch.engine.begin() as connection:
            await connection.execute(text("DELETE FROM router_audit_log"))


async def test_tables_unlike_the_models_are_refused(scratch: Database) -> None:
    await scratch.create_tables(owner_of("inventory").metadata)
    async with scratch.engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE warehouses ADD COLUMN manager VARCHAR(40)")
    with pytest.raises(SchemaMismatch, match="manager") as refused:
        await upgrade(scratch, "inventory")
    assert "stamp --domain inventory head" in str(refused.value)
    assert (await current(scratch, "inventory")).revision is None


async def test_tables_no_owner_models_do_not_stop_adoption(scratch: Database) -> None:
    """Every owner shares one database in the demo and the bench: the outbox table older
    versions made (``order_events``, no model now) and a tool's own table (the bench's seed
    marker) are nobody's to compare, and must not make an owner refuse adoption."""
    async with scratch.engine.begin() as connection:
        for statement in (
            "CREATE TABLE order_events (id BIGINT PRIMARY KEY, order_id BIGINT NOT NULL,"
            " published BOOLEAN NOT NULL)",
            "CREATE INDEX ix_order_events_published_id ON order_events (published, id)",
            "CREATE TABLE bench_seed_marker (orders BIGINT, customers BIGINT)",
        ):
            await connection.execute(text(statement))
    for owner in OWNERS.values():
        await scratch.create_tables(owner.metadata)
    for name in OWNERS:
        state = await upgrade(scratch, name)
        assert state.revision == state.head
        assert await differences(scratch, name) == []
    async with scratch.engine.connect() as connection:  # left as they were
        await connection.execute(text("SELECT count(*) FROM order_events"))
