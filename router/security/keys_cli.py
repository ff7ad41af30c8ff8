"""``python -m router keys create|list|revoke|rotate``: partner API keys in the database.

The database is ``--database-url``, else ``api_keys.database_url`` of ``--config``, else
``DATABASE_URL``, else the embedded SQLite file. ``create`` and ``rotate`` print the new key
once: only its hash is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from models.base import utcnow
from models.database import open_database
from router.security.api_keys import ApiKeyStore, IssuedKey, KeyRecord, UnknownKey

__all__ = ["add_keys_parser", "parse_expiry", "run_keys"]

_DURATION = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_expiry(value: str, now: datetime | None = None) -> datetime:
    """``90d``, ``12h``, ``30m`` from now, or an ISO 8601 time (UTC when it names no zone)."""
    now = now or utcnow()
    match = _DURATION.match(value.strip())
    if match:
        return now + timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"--expires expects e.g. 90d, 12h, 30m or an ISO time, got {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


def add_keys_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="manage partner API keys", description=__doc__)
    keys.add_argument("--config", type=Path, default=None, help="router.yaml")
    keys.add_argument("--database-url", default=None)
    actions = keys.add_subparsers(dest="keys_command", required=True)
    create = actions.add_parser("create", help="issue a key (printed once)")
    create.add_argument("--client", required=True, help="the partner's name")
    create.add_argument(
        "--scopes", default="", help='space- or comma-separated, e.g. "orders:read"'
    )
    create.add_argument("--expires", default=None, help="90d, 12h, 30m or an ISO time")
    listing = actions.add_parser("list", help="every key (never a secret)")
    listing.add_argument("--active", action="store_true", help="only keys that still work")
    revoke = actions.add_parser("revoke", help="stop a key (every replica within seconds)")
    revoke.add_argument("key_id")
    rotate = actions.add_parser("rotate", help="a new key for the same client and scopes")
    rotate.add_argument("key_id")
    rotate.add_argument(
        "--grace", default=None, help="keep the old key working this long (e.g. 1h)"
    )


def run_keys(args: argparse.Namespace, database_url: str | None, out: TextIO) -> int:
    return asyncio.run(_run(args, database_url, out))


async def _run(args: argparse.Namespace, database_url: str | None, out: TextIO) -> int:
    database = open_database(database_url)
    try:
        store = ApiKeyStore(database)
        await store.create_tables()
        await _ACTIONS[args.keys_command](store, args, out)
        return 0
    except UnknownKey as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()


async def _create(store: ApiKeyStore, args: argparse.Namespace, out: TextIO) -> None:
    expires = parse_expiry(args.expires) if args.expires else None
    _print_issued(await store.create(args.client, _scopes(args.scopes), expires), out)


async def _list(store: ApiKeyStore, args: argparse.Namespace, out: TextIO) -> None:
    now = utcnow()
    for record in await store.list(include_inactive=not args.active):
        print(_describe(record, now), file=out)


async def _revoke(store: ApiKeyStore, args: argparse.Namespace, out: TextIO) -> None:
    record = await store.revoke(args.key_id)
    print(f"revoked {record.key_id} ({record.client})", file=out)


async def _rotate(store: ApiKeyStore, args: argparse.Namespace, out: TextIO) -> None:
    grace = timedelta(0)
    if args.grace:
        grace = parse_expiry(args.grace, utcnow()) - utcnow()
    _print_issued(await store.rotate(args.key_id, grace), out)


_ACTIONS: dict[str, Callable[[ApiKeyStore, argparse.Namespace, TextIO], Awaitable[None]]] = {
    "create": _create,
    "list": _list,
    "revoke": _revoke,
    "rotate": _rotate,
}


def _scopes(text: str) -> list[str]:
    return [scope for scope in re.split(r"[\s,]+", text) if scope]


def _print_issued(issued: IssuedKey, out: TextIO) -> None:
    print(f"key id:  {issued.record.key_id}", file=out)
    print(f"client:  {issued.record.client}", file=out)
    print(f"scopes:  {' '.join(issued.record.scopes) or '-'}", file=out)
    expires = issued.record.expires_at
    print(f"expires: {expires.isoformat() if expires else 'never'}", file=out)
    print(f"key:     {issued.key}", file=out)
    print("Store the key now: it is not shown again.", file=out)


def _describe(record: KeyRecord, now: datetime) -> str:
    status = "active"
    if record.revoked_at is not None:
        status = "revoked"
    elif record.expires_at is not None and record.expires_at <= now:
        status = "expired"
    when = record.last_used_at.isoformat(timespec="seconds") if record.last_used_at else "never"
    expires = record.expires_at.isoformat(timespec="seconds") if record.expires_at else "never"
    scopes = " ".join(record.scopes) or "-"
    return (
        f"{record.key_id}  {status:<7}  client={record.client}  scopes={scopes}  "
        f"expires={expires}  last_used={when}"
    )
