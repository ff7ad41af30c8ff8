"""``python -m router audit list [--subject S] [--since TIME] [--limit N]``: the newest
audit records, one JSON object per line. The database is ``--database-url``, else
``audit.database_url`` then ``api_keys.database_url`` of ``--config``, else ``DATABASE_URL``.
There is no command that changes the log."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import orjson

from models.database import open_database
from router.audit.store import MAX_LIST_LIMIT, AuditStore

__all__ = ["add_audit_parser", "run_audit"]


def add_audit_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="read the audit log", description=__doc__)
    audit.add_argument("--config", type=Path, default=None, help="router.yaml")
    audit.add_argument("--database-url", default=None)
    actions = audit.add_subparsers(dest="audit_command", required=True)
    listing = actions.add_parser("list", help="the newest records first, as JSON lines")
    listing.add_argument("--subject", default=None, help="only this caller's records")
    listing.add_argument("--since", type=_time, default=None, help="an ISO 8601 time")
    listing.add_argument("--limit", type=_limit, default=100, help=f"1 to {MAX_LIST_LIMIT}")


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _limit(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_LIST_LIMIT:
        raise argparse.ArgumentTypeError(f"1 to {MAX_LIST_LIMIT}")
    return value


def run_audit(args: argparse.Namespace, database_url: str | None, out: TextIO) -> int:
    return asyncio.run(_list(args, database_url, out))


async def _list(args: argparse.Namespace, database_url: str | None, out: TextIO) -> int:
    database = open_database(database_url)
    try:
        store = AuditStore(database)
        await store.create_tables()
        for record in await store.list(subject=args.subject, since=args.since, limit=args.limit):
            print(orjson.dumps(record.as_json()).decode(), file=out)
        return 0
    finally:
        await database.dispose()
