"""The audit log in the router's database (the one holding its API keys).

Only two operations exist: :meth:`AuditStore.append` and :meth:`AuditStore.list`. There is
no update or delete path in the API, and the table's triggers refuse both at the database
(:mod:`models.router_audit`). Appending a record twice (a spool replayed after an outage
that half-succeeded) keeps one row: records carry a unique ``record_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.database import Database
from models.migrate import prepare_schema
from models.router_audit import AuditEntry
from router.audit.record import AuditRecord

__all__ = ["MAX_LIST_LIMIT", "AuditStore"]

MAX_LIST_LIMIT = 1000


class AuditStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def create_tables(self) -> None:
        """Migrate the router's tables to head (in production: check that they are there,
        :func:`models.migrate.prepare_schema`)."""
        await prepare_schema(self.database, "router")

    async def append(self, records: Iterable[AuditRecord]) -> None:
        rows = [_row(record) for record in records]
        if not rows:
            return
        insert = sqlite_insert if self.database.is_sqlite else postgresql_insert
        statement = (
            insert(AuditEntry).values(rows).on_conflict_do_nothing(index_elements=["record_id"])
        )
        async with self.database.sessions() as session, session.begin():
            await session.execute(statement)

    async def list(
        self, *, subject: str | None = None, since: datetime | None = None, limit: int = 100
    ) -> Sequence[AuditRecord]:
        """The newest records first (at most ``limit``, capped at :data:`MAX_LIST_LIMIT`)."""
        statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if subject is not None:
            statement = statement.where(AuditEntry.subject == subject)
        if since is not None:
            statement = statement.where(AuditEntry.at >= since)
        statement = statement.limit(max(0, min(limit, MAX_LIST_LIMIT)))
        async with self.database.reads() as session:
            entries = (await session.scalars(statement)).all()
        return [_record(entry) for entry in entries]


def _row(record: AuditRecord) -> dict[str, object]:
    return {
        "record_id": record.record_id,
        "at": record.at,
        "subject": record.subject,
        "client_id": record.client_id,
        "caller_kind": record.caller_kind,
        "operation_type": record.operation_type,
        "operation_name": record.operation_name,
        "operation_sha256": record.operation_sha256,
        "fields": list(record.fields),
        "entities": [{"type": t, "id": i} for t, i in record.entities],
        "outcome": record.outcome,
        "error_codes": list(record.error_codes),
    }


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        record_id=entry.record_id,
        at=entry.at,
        subject=entry.subject,
        client_id=entry.client_id,
        caller_kind=entry.caller_kind,
        operation_type=entry.operation_type,
        operation_name=entry.operation_name,
        operation_sha256=entry.operation_sha256,
        fields=tuple(entry.fields),
        entities=tuple((str(e.get("type")), str(e.get("id"))) for e in entry.entities),
        outcome=entry.outcome,
        error_codes=tuple(entry.error_codes),
    )
