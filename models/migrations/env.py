"""Alembic's environment for every owner's history (``models.migrate`` runs it).

The owner and an open connection (the synchronous facade of an async one) come in through
``config.attributes``; there is no ``alembic.ini``. The caller holds the transaction (and,
on PostgreSQL, the owner's advisory lock).
"""

from __future__ import annotations

from alembic import context

from models.migrate.comparison import comparison_options
from models.migrate.owners import owner_of


def run() -> None:
    owner = owner_of(context.config.attributes["owner"])
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, **comparison_options(owner, connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


run()
