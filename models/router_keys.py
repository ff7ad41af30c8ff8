"""Router-owned tables: partner API keys.

Only a SHA-256 hash of each key's secret is stored: the secrets are 256 random bits, so a
slow password hash would buy nothing and cost a request's worth of CPU per lookup. The key
id (``key_id``, also the visible prefix of the key) finds the row.

A key may carry its own rate limit (``rate_limit_capacity`` tokens, refilled at
``rate_limit_refill_per_second``), which wins over ``router.yaml``'s. Columns added after a
table was first created are added to it when the tables are created again (there is no
migration tool for the router's one table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, MetaData, String, event, inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import CreateColumn

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


@event.listens_for(RouterBase.metadata, "after_create")
def _add_missing_columns(metadata: MetaData, connection: Connection, **_: Any) -> None:
    """``ALTER TABLE ... ADD COLUMN`` for each nullable column a table created by an older
    version lacks (run by ``create_all``, which creates missing tables only)."""
    inspector = inspect(connection)
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                definition = CreateColumn(column).compile(dialect=connection.dialect)
                connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {definition}")
