"""The inventory domain: warehouses, stock levels per (product, warehouse), reservations.

``available = on_hand - reserved``; a reservation moves quantity into ``reserved`` and is
keyed by the order's reference so that placing the same order twice reserves once. A new
reservation expires (``expires_at``) unless the order's placement confirms it (the
``orders.OrderPlaced`` event clears ``expires_at``); the sweeper releases expired ones.
``InventoryEvent`` is the domain's outbox, ``InventoryInbox`` its consumers' inbox.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.base import TYPE_ANNOTATION_MAP, Identifier, domain_metadata, utcnow
from models.inbox import InboxRecord
from models.outbox import OutboxRecord

__all__ = [
    "Base",
    "InventoryEvent",
    "InventoryInbox",
    "Reservation",
    "ReservationStatus",
    "StockLevel",
    "Warehouse",
]


class Base(DeclarativeBase):
    metadata = domain_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class ReservationStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    RELEASED = "RELEASED"
    FULFILLED = "FULFILLED"


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(64))


class StockLevel(Base):
    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    )

    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        Index("ix_reservations_reference", "reference"),
        Index("ix_reservations_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    reference: Mapped[str] = mapped_column(String(128))
    product_id: Mapped[int] = mapped_column(BigInteger)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[ReservationStatus] = mapped_column(
        Enum(ReservationStatus, native_enum=False, length=16), default=ReservationStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)  # None: confirmed


class InventoryEvent(OutboxRecord, Base):
    """Outbox row: a inventory event (``inventory.*``) for other domains, published by the relay."""

    __tablename__ = "inventory_outbox"
    __table_args__ = (Index("ix_inventory_outbox_published_id", "published", "id"),)


class InventoryInbox(InboxRecord, Base):
    """Inbox row: an event (orders.*, integration.erp.*) handled once (``events.inbox``)."""

    __tablename__ = "inventory_inbox"
