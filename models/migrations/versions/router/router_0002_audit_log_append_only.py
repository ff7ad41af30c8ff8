"""audit log append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)

Revision ID: router_0002
Revises: router_0001
Create Date: 2026-12-01 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "router_0002"
down_revision: str | Sequence[str] | None = "router_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "router_audit_log is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER router_audit_log_no_{verb.lower()} BEFORE {verb} "
                f"ON router_audit_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION router_audit_log_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER router_audit_log_no_change BEFORE UPDATE OR DELETE ON router_audit_log "
        "FOR EACH ROW EXECUTE FUNCTION router_audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER router_audit_log_no_truncate BEFORE TRUNCATE ON router_audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION router_audit_log_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER router_audit_log_no_{verb}")
        return
    op.execute("DROP TRIGGER router_audit_log_no_truncate ON router_audit_log")
    op.execute("DROP TRIGGER router_audit_log_no_change ON router_audit_log")
    op.execute("DROP FUNCTION router_audit_log_append_only()")
