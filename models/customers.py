"""The customers domain: customer master data and addresses, and the erasure requests
(GDPR / PIPL) it coordinates across the domains.

``CustomerEvent`` is the domain's transactional outbox (``models.outbox``), ``CustomerInbox``
the inbox of its consumer of CRM contact updates. An ``ErasureRequest`` outlives the
customer it erased (no foreign key): it is the record that the request was made and carried
out, with one ``ErasureStep`` per domain holding that domain's progress (attempts, last
error, when to try again).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
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
    "ErasureRequest",
    "ErasureStatus",
    "ErasureStep",
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
    # The keyset orders of ``customers(orderBy:)`` besides the id. Ids are never reused,
    # even on SQLite (AUTOINCREMENT): an erased customer's id must not name a new customer
    # while a domain that was down still has to erase the old one's data.
    __table_args__ = (
        Index("ix_customers_name_id", "name", "id"),
        Index("ix_customers_created_at_id", "created_at", "id"),
        {"sqlite_autoincrement": True},
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


class ErasureStatus(enum.Enum):
    PENDING = "PENDING"
    DONE = "DONE"


class ErasureRequest(Base):
    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    # Random, per request: what the domains derive pseudonyms from (never the customer id).
    salt: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str | None] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    steps: Mapped[list[ErasureStep]] = relationship(
        back_populates="request", lazy="raise", order_by="ErasureStep.id"
    )


class ErasureStep(Base):
    """One domain's part of an erasure request."""

    __tablename__ = "erasure_steps"
    __table_args__ = (
        UniqueConstraint("request_id", "domain", name="uq_erasure_steps_request_id_domain"),
        Index("ix_erasure_steps_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("erasure_requests.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(32))
    status: Mapped[ErasureStatus] = mapped_column(
        Enum(ErasureStatus, native_enum=False, length=16), default=ErasureStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    request: Mapped[ErasureRequest] = relationship(back_populates="steps", lazy="raise")
