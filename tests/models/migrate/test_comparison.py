"""Migrations and models agree: every owner migrated to head in one database (as in the
embedded default) shows no difference from its models. A model changed without a
migration fails here (and in CI, on SQLite and PostgreSQL)."""

from __future__ import annotations

from models.database import Database
from models.migrate import OWNERS, differences, upgrade


async def test_every_owner_at_head_matches_its_models(scratch: Database) -> None:
    for owner in OWNERS:
        await upgrade(scratch, owner)
    for owner in OWNERS:
        assert await differences(scratch, owner) == [], owner


async def test_a_table_that_differs_from_its_model_is_found(scratch: Database) -> None:
    await upgrade(scratch, "products")
    await upgrade(scratch, "customers")
    async with scratch.engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE products ADD COLUMN colour VARCHAR(20)")
    found = await differences(scratch, "products")
    assert [difference[0] for difference in found] == ["remove_column"]
    assert found[0][3].name == "colour"
    assert await differences(scratch, "customers") == []  # products' tables are not its
