"""Writes audit records in the background, so no client request waits for the database.

:meth:`AuditWriter.submit` only puts the record on a bounded in-memory queue; one task
writes what it finds there in batches. Nothing is silently lost:

- the database is down (or refuses): the batch goes to the spool, a JSON-lines file
  (``audit.spool_path``), the failure is logged and counted (``write_failures``); the spool
  is written to the database (then removed) after the next successful write, and at start;
- the queue is full (the writer is that far behind): the record goes to the spool at once;
- the spool cannot be written either (disk full): the record is logged at ERROR, whole
  (names and ids, no personal data), and counted in ``lost``: the log is the last copy.

Client requests never fail and never wait because of the audit log. :meth:`aclose` (router
shutdown) writes what is queued, or spools it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from router.audit.record import AuditRecord
from router.audit.store import AuditStore

__all__ = ["AuditCounters", "AuditWriter"]

_logger = logging.getLogger(__name__)
_BATCH = 200


@dataclass(slots=True)
class AuditCounters:
    """What the writer did since start (exposed for metrics and tests)."""

    written: int = 0
    write_failures: int = 0
    spooled: int = 0
    replayed: int = 0
    lost: int = 0


class AuditWriter:
    def __init__(self, store: AuditStore, spool_path: Path, *, queue_size: int = 10_000) -> None:
        self.store = store
        self.spool_path = spool_path
        self.counters = AuditCounters()
        self._queue: asyncio.Queue[AuditRecord] = asyncio.Queue(queue_size)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.store.create_tables()
        with contextlib.suppress(Exception):  # still down: the spool waits for the next write
            await self._replay()
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    def submit(self, record: AuditRecord) -> None:
        """Queue ``record`` (never blocks, never raises)."""
        try:
            self._queue.put_nowait(record)
        except asyncio.QueueFull:
            self._spool([record])

    async def flush(self) -> None:
        """Wait until everything submitted so far is written or spooled."""
        await self._queue.join()

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        pending: list[AuditRecord] = []
        while not self._queue.empty():
            pending.append(self._queue.get_nowait())
            self._queue.task_done()
        if pending:
            await self._write(pending)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < _BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write(self, batch: Sequence[AuditRecord]) -> None:
        try:
            await self.store.append(batch)
        except Exception as error:
            self.counters.write_failures += 1
            _logger.warning("audit log: cannot write %d record(s), spooled: %s", len(batch), error)
            self._spool(batch)
            return
        self.counters.written += len(batch)
        if self.spool_path.exists():
            try:
                await self._replay()
            except Exception as error:
                _logger.warning("audit log: the spool stays for later: %s", error)

    def _spool(self, records: Sequence[AuditRecord]) -> None:
        lines = b"".join(orjson.dumps(record.as_json()) + b"\n" for record in records)
        try:
            self.spool_path.parent.mkdir(parents=True, exist_ok=True)
            with self.spool_path.open("ab") as spool:
                spool.write(lines)
                spool.flush()
                os.fsync(spool.fileno())
        except OSError as error:
            self.counters.lost += len(records)
            _logger.error("audit log: records LOST (%s): %s", error, lines.decode())
            return
        self.counters.spooled += len(records)

    async def _replay(self) -> None:
        """Write the spool to the database (a crash half-way leaves ``.replaying``, taken up
        first next time; a record written twice stays one row)."""
        replaying = self.spool_path.with_suffix(self.spool_path.suffix + ".replaying")
        if not replaying.exists():
            if not self.spool_path.exists():
                return
            os.replace(self.spool_path, replaying)
        records = [_from_json(orjson.loads(line)) for line in replaying.read_bytes().splitlines()]
        for start in range(0, len(records), _BATCH):
            await self.store.append(records[start : start + _BATCH])
        replaying.unlink()
        self.counters.replayed += len(records)
        _logger.info("audit log: %d spooled record(s) written", len(records))


def _from_json(data: dict[str, object]) -> AuditRecord:
    entities = data.get("entities")
    return AuditRecord(
        record_id=str(data["recordId"]),
        at=datetime.fromisoformat(str(data["at"])),
        subject=_text(data.get("subject")),
        client_id=_text(data.get("clientId")),
        caller_kind=str(data["callerKind"]),
        operation_type=str(data["operationType"]),
        operation_name=_text(data.get("operationName")),
        operation_sha256=str(data["operationSha256"]),
        fields=tuple(str(f) for f in data.get("fields") or ()),  # type: ignore[attr-defined]
        entities=tuple(
            (str(e["type"]), str(e["id"])) for e in (entities if isinstance(entities, list) else [])
        ),
        outcome=str(data["outcome"]),
        error_codes=tuple(str(c) for c in data.get("errorCodes") or ()),  # type: ignore[attr-defined]
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
