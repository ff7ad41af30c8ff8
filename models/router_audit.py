"""Router-owned table: the audit log (:mod:`router.audit`), next to the API keys.

Append-only, enforced by the database itself: triggers refuse every ``UPDATE`` and ``DELETE``
(and ``TRUNCATE`` on PostgreSQL), whoever connects. The migration
``models/migrations/versions/router/router_0002_audit_log_append_only.py`` creates them; the
same statements run when the model's table itself is created (a test's ``create_all``, or a
database made before migrations being completed: ``models.migrate.adoption``). Rows hold
names and ids, never a value of personal data. ``record_id`` (random, unique) lets a spooled
record be written again after an outage without being counted twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, Index, String, event
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


_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER router_audit_log_no_{verb.lower()} BEFORE {verb} ON router_audit_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]
_POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION router_audit_log_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER router_audit_log_no_change BEFORE UPDATE OR DELETE ON router_audit_log
    FOR EACH ROW EXECUTE FUNCTION router_audit_log_append_only()""",
    """CREATE TRIGGER router_audit_log_no_truncate BEFORE TRUNCATE ON router_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION router_audit_log_append_only()""",
]

for _dialect, _statements in (("sqlite", _SQLITE_TRIGGERS), ("postgresql", _POSTGRESQL_TRIGGERS)):
    for _statement in _statements:
        _ddl = DDL(_statement).execute_if(dialect=_dialect)  # type: ignore[no-untyped-call]
        event.listen(AuditEntry.__table__, "after_create", _ddl)
