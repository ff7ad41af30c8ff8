"""Alembic's commands for one owner on a :class:`~models.database.Database` (async engine).

Each command borrows one connection of the async engine and runs Alembic on its synchronous
facade (``run_sync``), inside one transaction: on PostgreSQL the whole upgrade is atomic
and serialised per owner (an advisory lock held until the transaction ends).

A database whose tables were made by ``create_all`` before migrations existed has no version
table: :func:`upgrade` adopts it (:mod:`models.migrate.adoption`: completes what older
versions would have added, stamps head) or refuses, listing the differences.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text

from models.database import Database
from models.migrate.adoption import SchemaMismatch, complete_for_adoption
from models.migrate.comparison import differences_on
from models.migrate.owners import MIGRATIONS_DIRECTORY, Owner, owner_of

__all__ = [
    "SchemaBehind",
    "SchemaMismatch",
    "SchemaState",
    "current",
    "differences",
    "downgrade",
    "new_revision",
    "stamp",
    "upgrade",
]

logger = logging.getLogger("models.migrate")

_T = TypeVar("_T")


class SchemaBehind(RuntimeError):
    """The database is not at the head revision this code needs."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    owner: str
    revision: str | None  # None: never migrated (no version table, or empty)
    head: str | None
    known: bool  # the revision is in this code's history (False: a newer version's)

    @property
    def behind(self) -> bool:
        return self.known and self.revision != self.head

    def describe(self) -> str:
        where = self.revision or "no revision"
        if not self.known:
            return f"{self.owner}: at {where}, unknown to this version (head {self.head})"
        state = "up to date" if not self.behind else f"behind head {self.head}"
        return f"{self.owner}: at {where}, {state}"


def alembic_config(owner: Owner, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    config.set_main_option("version_locations", str(owner.versions_directory))
    config.set_main_option("path_separator", "os")
    config.attributes["owner"] = owner.name
    config.attributes["connection"] = connection
    return config


# Alembic keeps the running environment in module state (``alembic.context``): two
# commands interleaving in one process would run in each other's, so they take turns.
_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _turn() -> asyncio.Lock:
    return _TURNS.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def _run(database: Database, owner: Owner, work: Callable[[Connection], _T]) -> _T:
    async with _turn(), database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One migrator at a time per owner (replicas starting together): the others
            # wait here, then find the database at head.
            lock = text("SELECT pg_advisory_xact_lock(hashtext(:key))")
            await connection.execute(lock, {"key": owner.version_table})
        return await connection.run_sync(work)


def _state(owner: Owner, connection: Connection) -> SchemaState:
    script = ScriptDirectory.from_config(alembic_config(owner))
    context = MigrationContext.configure(connection, opts={"version_table": owner.version_table})
    revision = context.get_current_revision()
    known = True
    if revision is not None:
        try:
            script.get_revision(revision)
        except CommandError:
            known = False
    return SchemaState(owner.name, revision, script.get_current_head(), known)


def _owned_tables_present(owner: Owner, connection: Connection) -> bool:
    present = set(inspect(connection).get_table_names())
    return bool(present & set(owner.metadata.tables))


def _upgrade(owner: Owner, revision: str, connection: Connection) -> None:
    config = alembic_config(owner, connection)
    state = _state(owner, connection)
    if state.revision is None and _owned_tables_present(owner, connection):
        complete_for_adoption(owner, connection)
        logger.info("%s: tables made before migrations adopted: stamped at head", owner.name)
        command.stamp(config, "head")
    command.upgrade(config, revision)


async def upgrade(database: Database, owner: str, revision: str = "head") -> SchemaState:
    chosen = owner_of(owner)

    def work(connection: Connection) -> SchemaState:
        _upgrade(chosen, revision, connection)
        return _state(chosen, connection)

    return await _run(database, chosen, work)


async def downgrade(database: Database, owner: str, revision: str) -> SchemaState:
    chosen = owner_of(owner)

    def work(connection: Connection) -> SchemaState:
        command.downgrade(alembic_config(chosen, connection), revision)
        return _state(chosen, connection)

    return await _run(database, chosen, work)


async def stamp(
    database: Database, owner: str, revision: str, *, purge: bool = False
) -> SchemaState:
    """Record ``revision`` without running anything (``purge``: whatever was recorded, even
    a revision this version does not know)."""
    chosen = owner_of(owner)

    def work(connection: Connection) -> SchemaState:
        command.stamp(alembic_config(chosen, connection), revision, purge=purge)
        return _state(chosen, connection)

    return await _run(database, chosen, work)


async def current(database: Database, owner: str) -> SchemaState:
    chosen = owner_of(owner)
    return await _run(database, chosen, lambda connection: _state(chosen, connection))


async def differences(database: Database, owner: str) -> list[Any]:
    """The differences between the database and the models (empty: they agree)."""
    chosen = owner_of(owner)
    return await _run(database, chosen, lambda connection: differences_on(chosen, connection))


async def new_revision(database: Database, owner: str, message: str) -> str:
    """Write the next revision of ``owner``, autogenerated against ``database`` (which must
    be at head); returns the new file's path."""
    chosen = owner_of(owner)
    chosen.versions_directory.mkdir(parents=True, exist_ok=True)
    numbers = [
        int(path.name[len(chosen.name) + 1 : len(chosen.name) + 5])
        for path in chosen.versions_directory.glob(f"{chosen.name}_[0-9][0-9][0-9][0-9]_*.py")
    ]
    revision_id = f"{chosen.name}_{max(numbers, default=0) + 1:04d}"

    def work(connection: Connection) -> str:
        config = alembic_config(chosen, connection)
        config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
        # the project's formatting (line length, quotes), as if written by hand
        for option, value in (
            ("hooks", "imports, format"),
            ("imports.type", "module"),
            ("imports.module", "ruff"),
            ("imports.options", "check --fix --exit-zero --quiet REVISION_SCRIPT_FILENAME"),
            ("format.type", "module"),
            ("format.module", "ruff"),
            ("format.options", "format REVISION_SCRIPT_FILENAME"),
        ):
            config.set_section_option("post_write_hooks", option, value)
        written = command.revision(config, message, autogenerate=True, rev_id=revision_id)
        scripts = written if isinstance(written, list) else [written]
        return str(scripts[0].path) if scripts and scripts[0] is not None else ""

    return await _run(database, chosen, work)
