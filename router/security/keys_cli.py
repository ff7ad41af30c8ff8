"""``python -m router keys create|list|limit|revoke|rotate``: partner API keys in the database.

The database is ``--database-url``, else ``api_keys.database_url`` of ``--config``, else
``DATABASE_URL``, else the embedded SQLite file. ``create`` and ``rotate`` print the new key
once: only its hash is stored. ``--rate-limit 100/s`` (or ``/m``, ``/h``; ``--burst`` sets
the bucket size, by default the count) gives a key its own rate limit, which wins over
``router.yaml``'s ``rate_limits``; ``limit KEY_ID --rate-limit none`` removes it.
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
from router.security.identity import RateQuota

__all__ = ["add_keys_parser", "parse_expiry", "parse_rate_limit", "run_keys"]

_DURATION = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
_RATE = re.compile(r"^(\d+)\s*/\s*(s|m|h)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600}


def parse_rate_limit(value: str, burst: int | None = None) -> RateQuota | None:
    """``100/s``, ``600/m`` or ``5000/h``: that many requests per period, in a bucket of
    ``burst`` tokens (default: the count); ``none`` removes a key's own limit."""
    if value.strip().lower() == "none":
        return None
    match = _RATE.match(value.strip())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"--rate-limit expects e.g. 100/s, 600/m, 5000/h or none, got {value!r}")
    count = int(match.group(1))
    if burst is not None and burst < 1:
        raise ValueError(f"--burst must be at least 1, got {burst}")
    return RateQuota(burst or count, count / _SECONDS[match.group(2)])


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
    _add_rate_limit(create, required=False)
    listing = actions.add_parser("list", help="every key (never a secret)")
    listing.add_argument("--active", action="store_true", help="only keys that still work")
    limit = actions.add_parser("limit", help="set or remove a key's own rate limit")
    limit.add_argument("key_id")
    _add_rate_limit(limit, required=True)
    revoke = actions.add_parser("revoke", help="stop a key (every replica within seconds)")
    revoke.add_argument("key_id")
    rotate = actions.add_parser("rotate", help="a new key for the same client and scopes")
    rotate.add_argument("key_id")
    rotate.add_argument(
        "--grace", default=None, help="keep the old key working this long (e.g. 1h)"
    )


def _add_rate_limit(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--rate-limit",
        required=required,
        default=None,
        help="the key's own limit, e.g. 100/s, 600/m, 5000/h (none: router.yaml's)",
    )
    parser.add_argument(
        "--burst", type=int, default=None, help="tokens a full bucket holds (default: the count)"
    )


def _rate_limit(args: argparse.Namespace) -> RateQuota | None:
    if args.rate_limit is None:
        if args.burst is not None:
            raise ValueError("--burst needs --rate-limit")
        return None
    return parse_rate_limit(args.rate_limit, args.burst)


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
    issued = await store.create(
        args.client, _scopes(args.scopes), expires, rate_limit=_rate_limit(args)
    )
    _print_issued(issued, out)


async def _limit(store: ApiKeyStore, args: argparse.Namespace, out: TextIO) -> None:
    record = await store.set_rate_limit(args.key_id, _rate_limit(args))
    print(f"{record.key_id} ({record.client}): rate limit {_rate_text(record)}", file=out)


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
    "limit": _limit,
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
    print(f"limit:   {_rate_text(issued.record)}", file=out)
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
        f"expires={expires}  rate_limit={_rate_text(record)}  last_used={when}"
    )


def _rate_text(record: KeyRecord) -> str:
    return str(record.rate_limit) if record.rate_limit else "router.yaml"
