"""The embedded bus's storage (``events.embedded_bus``): a stream log, its consumers, and
their deliveries. Kept with the models so that its migrations live with every other table's
(``models.migrate``, owner ``events``).

``event_log`` holds every stored message (``sequence`` is global, so a stream's sequences
increase with gaps); ``event_consumers`` one row per durable consumer (where it starts, and
the row a fetch locks so two fetchers of one consumer take turns); ``event_deliveries`` one
row per (consumer, message) once delivered: attempts, when it may be delivered again, done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.base import TYPE_ANNOTATION_MAP, Identifier, domain_metadata, utcnow

__all__ = ["Base", "EventConsumer", "EventDelivery", "EventLog"]


class Base(DeclarativeBase):
    metadata = domain_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class EventLog(Base):
    __tablename__ = "event_log"
    __table_args__ = (
        UniqueConstraint("stream", "message_id", name="uq_event_log_stream_message_id"),
        Index("ix_event_log_stream_sequence", "stream", "sequence"),
    )

    sequence: Mapped[int] = mapped_column(Identifier, primary_key=True)
    stream: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str] = mapped_column(String(255))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventConsumer(Base):
    __tablename__ = "event_consumers"

    stream: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    start_sequence: Mapped[int] = mapped_column(BigInteger)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventDelivery(Base):
    __tablename__ = "event_deliveries"

    stream: Mapped[str] = mapped_column(String(128), primary_key=True)
    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    visible_at: Mapped[datetime] = mapped_column(default=utcnow)
    done: Mapped[bool] = mapped_column(default=False)
