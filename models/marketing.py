"""The marketing domain: campaigns, coupons, and the purchase facts recommendations use.

``PurchaseFact`` is marketing's own copy of who bought what (fed by order events, never
read from the orders tables). ``ProductAffinity`` is the co-purchase graph derived from it
(top related products per product), so a recommendation is a bounded indexed lookup
whatever the size of the order history. ``RecordedOrder`` lists the orders counted (or
known cancelled), so each order is counted once whatever the order its events arrive in;
``ProcessedEvent`` is the consumer's inbox (``models.inbox``): each event is handled once.
``ErasedCustomer`` lists the customers whose data was erased (GDPR/PIPL), so that their
order events still on the way are recorded without any fact about them.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.base import TYPE_ANNOTATION_MAP, Identifier, domain_metadata, utcnow
from models.inbox import InboxRecord
from models.outbox import OutboxRecord

__all__ = [
    "Base",
    "Campaign",
    "CampaignStatus",
    "Coupon",
    "ErasedCustomer",
    "MarketingEvent",
    "ProcessedEvent",
    "ProductAffinity",
    "PurchaseFact",
    "RecordedOrder",
]


class Base(DeclarativeBase):
    metadata = domain_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class CampaignStatus(enum.Enum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[CampaignStatus] = mapped_column(
        Enum(CampaignStatus, native_enum=False, length=16), default=CampaignStatus.DRAFT
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Coupon(Base):
    __tablename__ = "coupons"
    __table_args__ = (Index("ix_coupons_campaign_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    percent_off: Mapped[int] = mapped_column(Integer)
    max_redemptions: Mapped[int] = mapped_column(Integer)
    redemptions: Mapped[int] = mapped_column(Integer, default=0)


class PurchaseFact(Base):
    __tablename__ = "purchase_facts"
    __table_args__ = (Index("ix_purchase_facts_product_id", "product_id"),)

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    last_order_id: Mapped[int] = mapped_column(BigInteger)


class ProductAffinity(Base):
    __tablename__ = "product_affinity"

    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    related_product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    score: Mapped[int] = mapped_column(Integer)


class RecordedOrder(Base):
    __tablename__ = "recorded_orders"

    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedEvent(InboxRecord, Base):
    __tablename__ = "marketing_inbox"


class MarketingEvent(OutboxRecord, Base):
    """Outbox row: a marketing event (``marketing.*``) for other domains, published by the relay."""

    __tablename__ = "marketing_outbox"
    __table_args__ = (Index("ix_marketing_outbox_published_id", "published", "id"),)


class ErasedCustomer(Base):
    __tablename__ = "erased_customers"

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
