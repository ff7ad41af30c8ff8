"""The orders domain: orders, their lines and their status lifecycle.

``customer_id`` and ``product_id`` are references into other domains (resolved through
federation), deliberately without foreign keys. Each line keeps the unit price it was sold
at. ``OrderEvent`` is the domain's transactional outbox (``models.outbox``): its events are
written in the same transaction as the change they describe. ``channel`` says where the
order was placed (ONLINE through the API, STORE for a point-of-sale sale received from a
store); ``OrdersInbox`` is the inbox of the consumer of POS sales.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models.base import TYPE_ANNOTATION_MAP, Identifier, domain_metadata, utcnow
from models.inbox import InboxRecord
from models.outbox import OutboxRecord

__all__ = [
    "ALLOWED_TRANSITIONS",
    "Base",
    "Order",
    "OrderChannel",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "OrdersInbox",
]


class Base(DeclarativeBase):
    metadata = domain_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class OrderStatus(enum.Enum):
    PENDING = "PENDING"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class OrderChannel(enum.Enum):
    ONLINE = "ONLINE"
    STORE = "STORE"


ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class Order(Base):
    __tablename__ = "orders"
    # The keyset orders of orders (``orderBy``), overall and per customer.
    __table_args__ = (
        Index("ix_orders_customer_id_created_at_id", "customer_id", "created_at", "id"),
        Index("ix_orders_created_at_id", "created_at", "id"),
        Index("ix_orders_total_minor_id", "total_minor", "id"),
        # Idempotency keys are the customer's own: another customer may use the same key.
        UniqueConstraint(
            "customer_id", "idempotency_key", name="uq_orders_customer_id_idempotency_key"
        ),
    )

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[OrderStatus] = mapped_column(
        Enum(OrderStatus, native_enum=False, length=16), default=OrderStatus.PENDING
    )
    channel: Mapped[OrderChannel] = mapped_column(
        Enum(OrderChannel, native_enum=False, length=8),
        default=OrderChannel.ONLINE,
        server_default=OrderChannel.ONLINE.value,  # what orders written before it were
    )
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.id", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (Index("ix_order_lines_order_id", "order_id"),)

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class OrderEvent(OutboxRecord, Base):
    """Outbox row: an order event (``orders.*``) for other domains, published by the relay."""

    __tablename__ = "orders_outbox"
    __table_args__ = (Index("ix_orders_outbox_published_id", "published", "id"),)


class OrdersInbox(InboxRecord, Base):
    """Inbox row: an event (integration.pos.*) handled once (``events.inbox``)."""

    __tablename__ = "orders_inbox"
