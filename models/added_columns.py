"""Columns a newer version adds to a table an older version created.

``create_all`` creates missing tables only; a domain whose tables gained a column
registers ``add_missing_columns`` on its metadata, and each ``create_tables`` then runs
``ALTER TABLE ... ADD COLUMN`` for every column the existing table lacks that can be
added to existing rows: nullable, or with a server default (``orders.channel``: ONLINE).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, MetaData, event, inspect
from sqlalchemy.schema import CreateColumn

__all__ = ["add_missing_columns"]


def _add(metadata: MetaData, connection: Connection, **_: Any) -> None:
    inspector = inspect(connection)
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present or not (column.nullable or column.server_default):
                continue
            definition = CreateColumn(column).compile(dialect=connection.dialect)
            connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {definition}")


def add_missing_columns(metadata: MetaData) -> None:
    event.listen(metadata, "after_create", _add)
