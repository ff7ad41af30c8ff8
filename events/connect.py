"""The bus the environment asks for: NATS JetStream at ``EVENTS_URL``, else embedded.

The embedded bus keeps its log in the database given (the development platform passes its
own), else in ``database_url("events")`` (``DATABASE_URL_EVENTS``, ``DATABASE_URL`` or the
embedded SQLite file).
"""

from __future__ import annotations

import os

from events.bus import EventBus
from events.embedded_bus import EmbeddedBus
from events.nats_bus import NatsBus
from models.database import Database, database_url, open_database

__all__ = ["events_url", "open_bus"]


def events_url() -> str | None:
    return os.environ.get("EVENTS_URL") or None


def open_bus(database: Database | None = None) -> EventBus:
    url = events_url()
    if url:
        return NatsBus(url)
    if database is not None:
        return EmbeddedBus(database)
    return EmbeddedBus(open_database(database_url("events")), owns_database=True)
