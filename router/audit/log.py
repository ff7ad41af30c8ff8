"""The router's audit log: one record per request that ran a mutation or read personal
data unmasked, written in the background (:mod:`router.audit.writer`) after the response
is computed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.database import open_database
from router.audit.config import AuditConfig
from router.audit.record import AuditTrail, Caller, audit_record
from router.audit.store import AuditStore
from router.audit.writer import AuditWriter

__all__ = ["AuditLog"]


class AuditLog:
    def __init__(self, store: AuditStore, writer: AuditWriter) -> None:
        self.store = store
        self.writer = writer

    @classmethod
    def from_config(cls, config: AuditConfig, fallback_database_url: str | None) -> AuditLog:
        database = open_database(config.database_url or fallback_database_url)
        store = AuditStore(database)
        return cls(store, AuditWriter(store, config.spool_path, queue_size=config.queue_size))

    async def startup(self) -> None:
        await self.writer.start()

    async def aclose(self) -> None:
        await self.writer.aclose()
        await self.store.database.dispose()

    def record(
        self,
        identity: Any,
        *,
        operation_type: str,
        operation_name: str | None,
        query: str,
        root_fields: tuple[str, ...],
        result: Mapping[str, Any],
        trail: AuditTrail,
    ) -> None:
        """Queue the request's record, if it needs one (never blocks, never raises)."""
        kind = getattr(identity, "kind", None)
        caller = Caller(
            str(getattr(kind, "value", kind) or "anonymous"),
            getattr(identity, "subject", None),
            getattr(identity, "client_id", None),
        )
        record = audit_record(
            caller,
            operation_type=operation_type,
            operation_name=operation_name,
            query=query,
            root_fields=root_fields,
            result=result,
            trail=trail,
        )
        if record is not None:
            self.writer.submit(record)
