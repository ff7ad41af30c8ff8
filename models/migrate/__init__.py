"""Alembic migrations per owner of tables (each domain, the router, the embedded bus).

``python -m models.migrate upgrade|downgrade|current|stamp|check|revision [--domain NAME]``
(:mod:`models.migrate.__main__`); processes call :func:`prepare_schema` at start-up.
"""

from models.migrate.commands import (
    SchemaBehind,
    SchemaMismatch,
    SchemaState,
    current,
    differences,
    downgrade,
    new_revision,
    stamp,
    upgrade,
)
from models.migrate.owners import OWNERS, Owner, owner_of
from models.migrate.startup import migrates_at_startup, prepare_schema

__all__ = [
    "OWNERS",
    "Owner",
    "SchemaBehind",
    "SchemaMismatch",
    "SchemaState",
    "current",
    "differences",
    "downgrade",
    "migrates_at_startup",
    "new_revision",
    "owner_of",
    "prepare_schema",
    "stamp",
    "upgrade",
]
