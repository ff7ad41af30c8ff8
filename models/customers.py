"""The customers domain: customer master data and addresses.

``CustomerEvent`` is the domain's transactional outbox (``models.outbox``), ``CustomerInbox``
the inbox of its consumer of CRM contact updates.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models.base import TYPE_ANNOTATION_MAP, Identifier, domain_metadata, utcnow
from models.inbox import InboxRecord
from models.outbox import OutboxRecord

__all__ = [
    "Address",
    "AddressKind",
    "Base",
    "Customer",
    "CustomerEvent",
    "CustomerInbox",
    "CustomerTier",
]


class Base(DeclarativeBase):
    metadata = domain_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class CustomerTier(enum.Enum):
    BRONZE = "BRONZE"
    SILVER = "SILVER"
    GOLD = "GOLD"
    PLATINUM = "PLATINUM"


class AddressKind(enum.Enum):
    SHIPPING = "SHIPPING"
    BILLING = "BILLING"


class Customer(Base):
    __tablename__ = "customers"
    # The keyset orders of ``customers(orderBy:)`` besides the id.
    __table_args__ = (
        Index("ix_customers_name_id", "name", "id"),
        Index("ix_customers_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    tier: Mapped[CustomerTier] = mapped_column(
        Enum(CustomerTier, native_enum=False, length=16), default=CustomerTier.BRONZE
    )
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", lazy="raise", order_by="Address.id", cascade="all, delete-orphan"
    )


class Address(Base):
    __tablename__ = "customer_addresses"
    __table_args__ = (Index("ix_customer_addresses_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[AddressKind] = mapped_column(Enum(AddressKind, native_enum=False, length=16))
    line1: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    customer: Mapped[Customer] = relationship(back_populates="addresses", lazy="raise")


class CustomerEvent(OutboxRecord, Base):
    """Outbox row: a customers event (``customers.*``) for other domains, published by the relay."""

    __tablename__ = "customers_outbox"
    __table_args__ = (Index("ix_customers_outbox_published_id", "published", "id"),)


class CustomerInbox(InboxRecord, Base):
    """Inbox row: an event (integration.crm.*) handled once (``events.inbox``)."""

    __tablename__ = "customers_inbox"
