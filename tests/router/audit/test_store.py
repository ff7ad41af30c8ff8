"""The audit store: append and list only; the database itself refuses updates and deletes."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from models.base import utcnow
from models.database import Database
from models.router_audit import APPEND_ONLY_MESSAGE, AuditEntry
from router.audit.record import AuditRecord
from router.audit.store import AuditStore


def record(subject: str, minutes_ago: int = 0, **changes: object) -> AuditRecord:
    base = AuditRecord(
        record_id=uuid.uuid4().hex,
        at=utcnow() - timedelta(minutes=minutes_ago),
        subject=subject,
        client_id="back-office",
        caller_kind="user",
        operation_type="query",
        operation_name="Customer360",
        operation_sha256="0" * 64,
        fields=("Customer.email",),
        entities=(("Customer", "42"),),
        outcome="ok",
        error_codes=(),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def store(database: Database) -> AuditStore:
    store = AuditStore(database)
    await store.create_tables()
    return store


async def test_appended_records_are_listed_newest_first_by_subject_and_time(
    store: AuditStore,
) -> None:
    subject = f"dpo-{uuid.uuid4().hex[:8]}"
    old, new = record(subject, minutes_ago=60), record(subject, minutes_ago=1)
    await store.append([old, new, record("someone-else")])
    assert await store.list(subject=subject) == [new, old]
    since = utcnow() - timedelta(minutes=30)
    assert await store.list(subject=subject, since=since) == [new]
    assert await store.list(subject=subject, limit=1) == [new]


async def test_the_same_record_appended_twice_is_one_row(store: AuditStore) -> None:
    subject = f"replay-{uuid.uuid4().hex[:8]}"
    again = record(subject)
    await store.append([again])
    await store.append([again, record(subject)])
    assert len(await store.list(subject=subject)) == 2


@pytest.mark.parametrize("change", ["update", "delete"])
async def test_the_database_refuses_to_change_or_remove_a_record(
    store: AuditStore, database: Database, change: str
) -> None:
    subject = f"tamper-{uuid.uuid4().hex[:8]}"
    await store.append([record(subject)])
    where = AuditEntry.subject == subject
    statement = (
        update(AuditEntry).where(where).values(outcome="ok-really")
        if change == "update"
        else delete(AuditEntry).where(where)
    )
    with pytest.raises(DBAPIError, match=APPEND_ONLY_MESSAGE):
        async with database.sessions() as session, session.begin():
            await session.execute(statement)
    assert [r.outcome for r in await store.list(subject=subject)] == ["ok"]


async def test_postgresql_refuses_truncate_too(store: AuditStore, database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has no TRUNCATE (DELETE covers it)")
    with pytest.raises(DBAPIError, match=APPEND_ONLY_MESSAGE):
        async with database.sessions() as session, session.begin():
            await session.execute(text("TRUNCATE router_audit_log"))
