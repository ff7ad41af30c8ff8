"""Router-owned table: the audit log (:mod:`router.audit`), next to the API keys.

Append-only, enforced by the database itself: triggers refuse every ``UPDATE`` and ``DELETE``
(and ``TRUNCATE`` on PostgreSQL), whoever connects (created by the migration
``models/migrations/versions/router/router_0002_audit_log_append_only.py``, whose message is
:data:`APPEND_ONLY_MESSAGE`). Rows hold names and ids, never a value of
personal data. ``record_id`` (random, unique) lets a spooled record be written again after
an outage without being counted twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Identifier
from models.router_keys import RouterBase

__all__ = ["APPEND_ONLY_MESSAGE", "AuditEntry"]

APPEND_ONLY_MESSAGE = "router_audit_log is append-only"


class AuditEntry(RouterBase):
    __tablename__ = "router_audit_log"
    __table_args__ = (Index("ix_router_audit_log_subject_at", "subject", "at"),)

    id: Mapped[int] = mapped_column(Identifier, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    client_id: Mapped[str | None] = mapped_column(String(200))
    caller_kind: Mapped[str] = mapped_column(String(20))
    operation_type: Mapped[str] = mapped_column(String(20))
    operation_name: Mapped[str | None] = mapped_column(String(200))
    operation_sha256: Mapped[str] = mapped_column(String(64))
    # e.g. ["Customer.email", "Address.line1", "Mutation.placeOrder"]
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    # e.g. [{"type": "Customer", "id": "42"}, {"type": "Order", "id": "981"}]
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(20))  # ok | partial | error
    error_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
