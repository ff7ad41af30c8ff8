"""Schema migrations, one history per owner of tables.

    python -m models.migrate upgrade [--domain NAME ...] [--revision REV]
    python -m models.migrate downgrade --domain NAME REVISION      (REVISION may be "base")
    python -m models.migrate current [--domain NAME ...]
    python -m models.migrate check [--domain NAME ...]    exit 1 unless at head and no diff
    python -m models.migrate stamp --domain NAME REVISION  (adopt tables made by hand)
    python -m models.migrate revision --domain NAME -m MESSAGE   (autogenerate the next one)

Owners: the domains (customers, products, orders, inventory, marketing), ``router`` (API
keys, audit log) and ``events`` (the embedded bus). Without ``--domain``: every owner. Each
owner's database is ``--database-url``, else ``DATABASE_URL_<OWNER>``, else
``DATABASE_URL``, else the embedded SQLite file. PostgreSQL's statement time limit is lifted
for migrations.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO

from models.database import Database, database_url, open_database
from models.migrate.commands import (
    SchemaMismatch,
    SchemaState,
    current,
    differences,
    downgrade,
    new_revision,
    stamp,
    upgrade,
)
from models.migrate.owners import OWNERS

_ONE_OWNER = ("downgrade", "stamp", "revision")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m models.migrate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=None, help="default: per owner, see above")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("upgrade", "current", "check", "downgrade", "stamp", "revision"):
        sub = commands.add_parser(name)
        sub.add_argument("--domain", action="append", choices=sorted(OWNERS), default=None)
        if name in ("downgrade", "stamp"):
            sub.add_argument("revision")
        if name == "upgrade":
            sub.add_argument("--revision", default="head")
        if name == "revision":
            sub.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.command in _ONE_OWNER and len(args.domain or ()) != 1:
        parser.error(f"{args.command} needs exactly one --domain")
    return args


def _open(url: str) -> Database:
    if url.startswith("postgresql"):
        return open_database(url, connect_args={"server_settings": {"statement_timeout": "0"}})
    return open_database(url)


async def _each_owner(
    args: argparse.Namespace, action: Callable[[Database, str], Awaitable[bool]]
) -> int:
    """Run ``action`` for each chosen owner on its database; 1 if any returned False."""
    opened: dict[str, Database] = {}
    failed = False
    try:
        for owner in args.domain or OWNERS:
            url = args.database_url or database_url(owner)
            if url not in opened:
                opened[url] = _open(url)
            failed |= not await action(opened[url], owner)
    finally:
        for database in opened.values():
            await database.dispose()
    return 1 if failed else 0


async def _command(args: argparse.Namespace, out: TextIO) -> int:
    def report(state: SchemaState) -> bool:
        print(state.describe(), file=out)
        return True

    async def check(database: Database, owner: str) -> bool:
        state = await current(database, owner)
        found = await differences(database, owner) if state.revision is not None else []
        print(state.describe(), file=out)
        for difference in found:
            print(f"  models differ: {difference}", file=out)
        return state.revision is not None and not state.behind and not found

    async def revision(database: Database, owner: str) -> bool:
        print(await new_revision(database, owner, args.message), file=out)
        return True

    actions: dict[str, Callable[[Database, str], Awaitable[bool]]] = {
        "upgrade": lambda db, owner: _then(upgrade(db, owner, args.revision), report),
        "downgrade": lambda db, owner: _then(downgrade(db, owner, args.revision), report),
        "stamp": lambda db, owner: _then(stamp(db, owner, args.revision), report),
        "current": lambda db, owner: _then(current(db, owner), report),
        "check": check,
        "revision": revision,
    }
    return await _each_owner(args, actions[args.command])


async def _then(state: Awaitable[SchemaState], report: Callable[[SchemaState], bool]) -> bool:
    return report(await state)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = _parse(argv)
    try:
        return asyncio.run(_command(args, out))
    except SchemaMismatch as error:
        print(f"python -m models.migrate: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
