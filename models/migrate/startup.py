"""What a process does with its owner's schema when it starts.

Development (the default) upgrades to head, so ``make demo`` and the tests need no separate
step. Production (``OPS_MODE=production``) never changes the schema at start-up: migrating
is a deliberate step of the upgrade procedure (``python -m models.migrate upgrade``), and a
process whose database is behind refuses to start (:class:`~models.migrate.commands.SchemaBehind`).
A database ahead of the code (a newer version migrated it, this one is an old replica
still rolling) is accepted with a warning: migrations are written to keep the previous
version working.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from sqlalchemy.exc import SQLAlchemyError

from models.database import Database
from models.migrate.commands import SchemaBehind, SchemaState, current, upgrade

__all__ = ["migrates_at_startup", "prepare_schema"]

logger = logging.getLogger("models.migrate")
_ATTEMPTS = 4


async def _upgrade_with_retries(database: Database, owner: str) -> SchemaState:
    """Several processes sharing one SQLite file may start together, and SQLite runs DDL
    outside the migration's transaction, so one may fail on a table another just made:
    it tries again (and finds the database at head, or adopts what the other made).
    PostgreSQL serialises migrators with a lock instead."""
    for attempt in range(1, _ATTEMPTS):
        try:
            return await upgrade(database, owner)
        except SQLAlchemyError:
            await asyncio.sleep(0.1 * attempt)
    return await upgrade(database, owner)


def migrates_at_startup(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get("OPS_MODE", "").strip().lower() != "production"


async def prepare_schema(
    database: Database, owner: str, *, migrate: bool | None = None
) -> SchemaState:
    """Upgrade ``owner``'s tables to head (``migrate``, default :func:`migrates_at_startup`)
    or check that they are there; raises :class:`SchemaBehind` when they are not."""
    if migrate if migrate is not None else migrates_at_startup():
        return await _upgrade_with_retries(database, owner)
    state = await current(database, owner)
    if state.behind:
        raise SchemaBehind(
            f"the {owner} database is at {state.revision or 'no revision'}, this version "
            f"needs {state.head}: run `python -m models.migrate upgrade --domain {owner}` "
            "(with the same DATABASE_URL) before starting it"
        )
    if not state.known:
        logger.warning("%s (a newer version migrated it)", state.describe())
    return state
