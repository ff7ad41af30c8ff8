"""One audit record: who did what to which entities, built after the response is computed.

Subgraphs report what a request touched in their response's ``extensions.audit``
(``subgraphs.common.audit_report``: personal data read unmasked, mutations run with the ids
they returned). :func:`collect_report` takes those out of each subgraph response during
execution (the client never sees them) into the request's :class:`AuditTrail`;
:func:`audit_record` then makes the one record the request deserves, if any: every mutation
(even one whose subgraph never answered) and every read of unmasked personal data. Names
and ids only: no value of personal data ever reaches a record.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.base import utcnow

__all__ = [
    "AuditRecord",
    "AuditTrail",
    "Caller",
    "audit_record",
    "audit_trail",
    "collect_report",
]

_MAX_ITEMS = 1000  # entities or fields per record: a page of 100 customers fits


@dataclass(slots=True)
class AuditTrail:
    """What the subgraphs of one client request reported."""

    fields: dict[str, None] = field(default_factory=dict)  # ordered set
    entities: dict[tuple[str, str], None] = field(default_factory=dict)
    pii: bool = False
    mutations: bool = False

    def add(self, report: Mapping[str, Any]) -> None:
        for read in _items(report.get("pii")):
            type_name = str(read.get("type"))
            self.pii = True
            if read.get("id") is not None:
                self.entities[(type_name, str(read["id"]))] = None
            for name in _items(read.get("fields")):
                self.fields[name if "." in str(name) else f"{type_name}.{name}"] = None
        for mutation in _items(report.get("mutations")):
            self.mutations = True
            self.fields[f"Mutation.{mutation.get('field')}"] = None
            for entity_id in _items(mutation.get("ids")):
                self.entities[(str(mutation.get("type")), str(entity_id))] = None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_trail: ContextVar[AuditTrail | None] = ContextVar("audit_trail", default=None)


@contextlib.contextmanager
def audit_trail() -> Iterator[AuditTrail]:
    """Collect the subgraph reports of the requests made inside (tasks included)."""
    trail = AuditTrail()
    token = _trail.set(trail)
    try:
        yield trail
    finally:
        _trail.reset(token)


def collect_report(response: dict[str, Any]) -> None:
    """Take ``extensions.audit`` out of a subgraph response (into the current trail, if any)."""
    extensions = response.get("extensions")
    if not isinstance(extensions, dict) or "audit" not in extensions:
        return
    report = extensions.pop("audit")
    trail = _trail.get()
    if trail is not None and isinstance(report, dict):
        trail.add(report)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    record_id: str
    at: datetime
    subject: str | None
    client_id: str | None
    caller_kind: str
    operation_type: str
    operation_name: str | None
    operation_sha256: str
    fields: tuple[str, ...]
    entities: tuple[tuple[str, str], ...]
    outcome: str  # ok | partial | error
    error_codes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "recordId": self.record_id,
            "at": self.at.isoformat(),
            "subject": self.subject,
            "clientId": self.client_id,
            "callerKind": self.caller_kind,
            "operationType": self.operation_type,
            "operationName": self.operation_name,
            "operationSha256": self.operation_sha256,
            "fields": list(self.fields),
            "entities": [{"type": t, "id": i} for t, i in self.entities],
            "outcome": self.outcome,
            "errorCodes": list(self.error_codes),
        }


@dataclass(frozen=True, slots=True)
class Caller:
    kind: str
    subject: str | None
    client_id: str | None


def audit_record(
    caller: Caller,
    *,
    operation_type: str,
    operation_name: str | None,
    query: str,
    root_fields: tuple[str, ...],
    result: Mapping[str, Any],
    trail: AuditTrail,
) -> AuditRecord | None:
    """The record of one executed operation, or None when it needs none (a query that read
    no unmasked personal data)."""
    is_mutation = operation_type == "mutation"
    if not is_mutation and not trail.pii:
        return None
    fields = dict(trail.fields)
    if is_mutation:  # the operation says what was asked, even if no subgraph answered
        for name in root_fields:
            fields.setdefault(f"Mutation.{name}", None)
    errors = [e for e in result.get("errors") or () if isinstance(e, Mapping)]
    codes = sorted({str((e.get("extensions") or {}).get("code", "UNKNOWN")) for e in errors})
    outcome = "ok" if not errors else ("error" if result.get("data") is None else "partial")
    return AuditRecord(
        record_id=uuid.uuid4().hex,
        at=utcnow(),
        subject=caller.subject,
        client_id=caller.client_id,
        caller_kind=caller.kind,
        operation_type=operation_type,
        operation_name=operation_name,
        operation_sha256=hashlib.sha256(query.encode()).hexdigest(),
        fields=tuple(list(fields)[:_MAX_ITEMS]),
        entities=tuple(list(trail.entities)[:_MAX_ITEMS]),
        outcome=outcome,
        error_codes=tuple(codes),
    )
