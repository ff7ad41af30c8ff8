"""Adopting a database whose tables were made before migrations (by ``create_all``).

Such a database has the owner's tables but no version table. Older versions created
missing tables at start-up and added the nullable (or server-defaulted) columns a table
lacked, so a database they made may be behind the models in exactly those ways. Adoption
does what they would have done, and nothing else: it creates the missing tables (with the
model's own DDL, e.g. the audit log's triggers) and indexes, adds the missing columns that
existing rows can take, then records head (stamps). Any other difference (a column of
another type, one the models no longer have, a constraint) is refused with the list, and
nothing is recorded: bring the tables in line by hand, then stamp.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Column, Connection, Index, Table
from sqlalchemy.schema import CreateColumn

from models.migrate.comparison import differences_on
from models.migrate.owners import Owner

__all__ = ["SchemaMismatch", "complete_for_adoption"]

logger = logging.getLogger("models.migrate")


class SchemaMismatch(RuntimeError):
    """Tables exist without a version table and differ from the models beyond what can be
    added: not adoptable."""


def _addable(difference: Any) -> bool:
    if not isinstance(difference, tuple):  # modify_* differences come as lists
        return False
    kind = difference[0]
    if kind in ("add_table", "add_index"):
        return True
    if kind == "add_column":
        column: Column[Any] = difference[3]
        return column.nullable is True or column.server_default is not None
    return False


def _refuse(owner: Owner, found: list[Any]) -> SchemaMismatch:
    listed = "\n  ".join(str(difference) for difference in found)
    return SchemaMismatch(
        f"{owner.name}: its tables exist without a version table ({owner.version_table}) "
        f"and differ from the models beyond missing tables, indexes and nullable columns, "
        f"so they cannot be adopted:\n  {listed}\nBring them in line by hand, then "
        f"`python -m models.migrate stamp --domain {owner.name} head`."
    )


def complete_for_adoption(owner: Owner, connection: Connection) -> None:
    """Add what the owner's tables lack (see the module), or raise :class:`SchemaMismatch`."""
    found = differences_on(owner, connection)
    refused = [difference for difference in found if not _addable(difference)]
    if refused:
        raise _refuse(owner, refused)
    created: set[str] = set()
    for difference in found:
        kind = difference[0]
        if kind == "add_table":
            table: Table = owner.metadata.tables[difference[1].name]
            table.create(connection)  # with its indexes and the model's DDL events
            created.add(table.name)
        elif kind == "add_index":
            index: Index = difference[1]
            if index.table is not None and index.table.name not in created:
                index.create(connection)
        else:
            table_name, column = difference[2], difference[3]
            definition = CreateColumn(column).compile(dialect=connection.dialect)
            connection.exec_driver_sql(f"ALTER TABLE {table_name} ADD COLUMN {definition}")
        logger.info("%s: adopting, %s", owner.name, kind)
    remaining = differences_on(owner, connection)
    if remaining:
        raise _refuse(owner, remaining)
