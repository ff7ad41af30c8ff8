"""Router-owned tables: partner API keys.

Only a SHA-256 hash of each key's secret is stored: the secrets are 256 random bits, so a
slow password hash would buy nothing and cost a request's worth of CPU per lookup. The key
id (``key_id``, also the visible prefix of the key) finds the row.

A key may carry its own rate limit (``rate_limit_capacity`` tokens, refilled at
``rate_limit_refill_per_second``), which wins over ``router.yaml``'s. The tables are made
and changed by migrations (``models.migrate``, owner ``router``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.base import TYPE_ANNOTATION_MAP, Identifier, domain_metadata, utcnow

__all__ = ["ApiKey", "RouterBase"]


class RouterBase(DeclarativeBase):
    metadata = domain_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class ApiKey(RouterBase):
    __tablename__ = "router_api_keys"

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    client: Mapped[str] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    # the key this one replaced (``keys rotate``)
    replaces: Mapped[str | None] = mapped_column(String(32))
    # the key's own rate limit (both set, or neither: router.yaml's limits apply)
    rate_limit_capacity: Mapped[int | None]
    rate_limit_refill_per_second: Mapped[float | None]
