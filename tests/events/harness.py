"""The two buses under one harness, for the behaviour suite that runs against both.

Every harness has its own namespace (streams, consumers, and the outbox, inbox and effect
tables of the test producer/consumer), so parallel runs on one NATS server or one
PostgreSQL database never meet.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase

from events.bus import EventBus
from events.embedded_bus import EmbeddedBus
from events.nats_bus import NatsBus
from models.base import TYPE_ANNOTATION_MAP, domain_metadata
from models.database import Database, open_database
from models.inbox import InboxRecord
from models.outbox import OutboxRecord

__all__ = ["NATS_URL", "Harness", "Tables", "make_tables", "new_namespace"]

NATS_URL = os.environ.get("EVENTS_TEST_NATS_URL", "nats://127.0.0.1:4222")


def new_namespace() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True, slots=True)
class Tables:
    metadata: MetaData
    outbox: type[OutboxRecord]
    inbox: type[InboxRecord]
    effects: Table  # one row per application of an event by the test consumer


def make_tables(namespace: str) -> Tables:
    class Base(DeclarativeBase):
        metadata = domain_metadata()
        type_annotation_map = TYPE_ANNOTATION_MAP

    outbox = type("Outbox", (OutboxRecord, Base), {"__tablename__": f"outbox_{namespace}"})
    inbox = type("Inbox", (InboxRecord, Base), {"__tablename__": f"inbox_{namespace}"})
    effects = Table(
        f"effects_{namespace}",
        Base.metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64)),
        Column("aggregate_id", String(64)),
        Column("marker", Integer),
    )
    return Tables(
        Base.metadata, cast(type[OutboxRecord], outbox), cast(type[InboxRecord], inbox), effects
    )


@dataclass(frozen=True, slots=True)
class Harness:
    kind: str
    namespace: str
    database: Database  # the producer's and consumer's store (and the embedded bus's)
    tables: Tables
    new_bus: Callable[[], EventBus]  # another connection: a restarted process's view
    unreachable_bus: Callable[[], EventBus]


def embedded_harness(namespace: str, database: Database, tables: Tables, tmp: Path) -> Harness:
    def unreachable() -> EventBus:
        blocker = tmp / "not-a-directory"
        blocker.write_text("")
        return EmbeddedBus(open_database(f"sqlite+aiosqlite:///{blocker / 'events.db'}"))

    return Harness(
        "embedded",
        namespace,
        database,
        tables,
        lambda: EmbeddedBus(database, namespace=namespace),
        unreachable,
    )


def nats_harness(namespace: str, database: Database, tables: Tables, closed_port: int) -> Harness:
    return Harness(
        "nats",
        namespace,
        database,
        tables,
        lambda: NatsBus(NATS_URL, namespace=namespace),
        lambda: NatsBus(f"nats://127.0.0.1:{closed_port}", namespace=namespace),
    )
