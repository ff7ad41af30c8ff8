"""What autogenerate compares for one owner, shared by ``models/migrations/env.py`` (new
revisions) and :mod:`models.migrate.commands` (adoption, the agreement check).

Only the owner's tables are reflected: owners may share a database, each with its own
version table. Migrations keep plain SQLAlchemy types (no import of the models' types), so
a UTC timestamp renders as a timezone-aware ``DateTime``.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from models.base import UTCDateTime
from models.migrate.owners import Owner

__all__ = ["comparison_options", "differences_on"]


def _render_item(kind: str, item: Any, _context: AutogenContext) -> str | bool:
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def comparison_options(owner: Owner, dialect_name: str) -> dict[str, Any]:
    """``context.configure`` options for ``owner`` on a ``dialect_name`` database."""
    owned = set(owner.metadata.tables)

    def include_name(name: str | None, kind: str, _parent: Any) -> bool:
        # Only the owner's own tables: another owner's, a table no model knows any more
        # (the old `order_events` outbox) or a tool's (the bench's seed marker) sharing the
        # database is none of this owner's business, and never a reason to refuse adoption.
        if kind != "table" or name is None:
            return True
        return name in owned

    return {
        "target_metadata": owner.metadata,
        "version_table": owner.version_table,
        "include_name": include_name,
        "render_as_batch": dialect_name == "sqlite",
        "render_item": _render_item,
        "compare_type": True,
    }


def differences_on(owner: Owner, connection: Connection) -> list[Any]:
    """What autogenerate would change to make the owner's tables match its models."""
    options = comparison_options(owner, connection.dialect.name)
    context = MigrationContext.configure(connection, opts=options)
    return list(compare_metadata(context, owner.metadata))
