"""The columns of a domain's transactional outbox (a mixin each domain's outbox table uses).

A row is one event, written by the producer in the same transaction as the change it
describes: ``envelope`` is the complete CloudEvents structured JSON (checked against its
schema when staged), ``subject`` the bus subject, ``aggregate_id`` the CloudEvents subject.
The relay (``events.relay``) publishes unpublished rows in ``id`` order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Identifier, utcnow

__all__ = ["OutboxRecord"]


class OutboxRecord:
    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(128))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    envelope: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
