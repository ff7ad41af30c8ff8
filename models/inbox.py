"""The columns of a consumer's inbox (a mixin each consuming domain's inbox table uses).

One row per (consumer, event id) handled, written in the same transaction as the handling
(``events.inbox``): a redelivered event finds its row and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import utcnow

__all__ = ["InboxRecord"]


class InboxRecord:
    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(128))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
