"""The products domain: catalogue, listing status and pricing.

Money is stored in minor units (cents) with its ISO 4217 currency: never a float.
``ProductEvent`` is the domain's transactional outbox (``models.outbox``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.base import TYPE_ANNOTATION_MAP, Identifier, domain_metadata, utcnow
from models.outbox import OutboxRecord

__all__ = ["Base", "Product", "ProductEvent", "ProductStatus"]


class Base(DeclarativeBase):
    metadata = domain_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class ProductStatus(enum.Enum):
    DRAFT = "DRAFT"
    LISTED = "LISTED"
    DELISTED = "DELISTED"


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_category_status", "category", "status"),
        # The keyset orders of ``products(orderBy:)`` besides the id.
        Index("ix_products_name_id", "name", "id"),
        Index("ix_products_price_minor_id", "price_minor", "id"),
        Index("ix_products_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(64))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ProductStatus] = mapped_column(
        Enum(ProductStatus, native_enum=False, length=16), default=ProductStatus.DRAFT
    )
    listed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProductEvent(OutboxRecord, Base):
    """Outbox row: a products event (``products.*``) for other domains, published by the relay."""

    __tablename__ = "products_outbox"
    __table_args__ = (Index("ix_products_outbox_published_id", "published", "id"),)
