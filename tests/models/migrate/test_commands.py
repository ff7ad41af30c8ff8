"""upgrade -> downgrade -> upgrade; seeded rows survive a step down and back up."""

from __future__ import annotations

from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, select

from models.base import utcnow
from models.database import Database
from models.migrate import (
    OWNERS,
    current,
    differences,
    downgrade,
    upgrade,
)
from models.migrate.commands import alembic_config
from models.router_audit import AuditEntry
from models.seed.generate import Scale
from models.seed.run import SEEDERS, seed_domain


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        names: list[str] = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names)


async def _rows(database: Database, metadata: MetaData) -> dict[str, list[Any]]:
    async with database.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, await connection.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
        }


async def test_upgrade_downgrade_upgrade(scratch: Database) -> None:
    for owner in OWNERS:
        assert (await upgrade(scratch, owner)).revision == (await current(scratch, owner)).head
    for owner in OWNERS:
        state = await downgrade(scratch, owner, "base")
        assert state.revision is None
    leftover = await _tables(scratch)
    assert not leftover & {table for o in OWNERS.values() for table in o.metadata.tables}
    for owner in OWNERS:
        await upgrade(scratch, owner)
        assert await differences(scratch, owner) == []


async def test_seeded_rows_survive_each_step_down_and_up(scratch: Database) -> None:
    """Every revision after the baseline is lossless: down one step and up again keeps
    every row (the baseline's downgrade drops the tables, by definition)."""
    scale = Scale(customers=8, orders=12, products=6, warehouses=2, seed=3)
    for domain in SEEDERS:
        await seed_domain(scratch, domain, scale, show_progress=False)
    for name in OWNERS:
        await upgrade(scratch, name)
    async with scratch.sessions() as session, session.begin():
        session.add(
            AuditEntry(
                record_id="r1",
                at=utcnow(),
                caller_kind="user",
                operation_type="query",
                operation_sha256="0" * 64,
                outcome="ok",
            )
        )
    for name, owner in OWNERS.items():
        script = ScriptDirectory.from_config(alembic_config(owner))
        before = await _rows(scratch, owner.metadata)
        for revision in script.walk_revisions():
            if revision.down_revision is None:
                continue
            await downgrade(scratch, name, str(revision.down_revision))
            await upgrade(scratch, name, revision.revision)
        assert await _rows(scratch, owner.metadata) == before, name
        assert await differences(scratch, name) == [], name
