"""``python -m bench.counted_subgraph DOMAIN --port N [--peer name=URL ...]``

Serves one of the project's subgraphs exactly as ``python -m subgraphs serve`` does (same
app, same database settings from ``DATABASE_URL``), plus a count of the SQL statements its
engine sends to the database, read with ``GET /bench/statements``. The count comes from
SQLAlchemy's ``before_cursor_execute`` event, so it sees every statement the subgraph
executes, whatever the database server's configuration (no ``pg_stat_statements`` needed).
Transaction control (BEGIN, COMMIT, ROLLBACK: each a round trip with asyncpg) is counted
apart, from the ``begin``/``commit``/``rollback`` events.

``--tuned`` is a what-if for the data-layer owners, not how the platform runs: a pool of
30 and AUTOCOMMIT for every statement, writes included (the platform already runs on
uvloop, without pre-ping, with autocommit batch reads; SQLAlchemy still reports its
logical transactions, so the transaction count does not drop).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from models.database import Database
from subgraphs.common import event_loop
from subgraphs.registry import DOMAINS
from subgraphs.serving import serve_subgraph

__all__ = ["STATEMENTS_PATH", "StatementCounter", "StatementCountingApp", "main"]

STATEMENTS_PATH = "/bench/statements"


class StatementCounter:
    """Counts the statements executed through ``engine``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements = 0
        self.transaction_commands = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count_statement)
        for name in ("begin", "commit", "rollback"):
            event.listen(engine.sync_engine, name, self._count_transaction_command)

    def _count_statement(self, *_args: Any) -> None:
        self.statements += 1

    def _count_transaction_command(self, *_args: Any) -> None:
        self.transaction_commands += 1

    def as_json(self) -> bytes:
        return orjson.dumps(
            {"statements": self.statements, "transactionCommands": self.transaction_commands}
        )


class StatementCountingApp:
    """Answers ``GET /bench/statements`` with the counts; passes everything else through."""

    def __init__(self, app: ASGIApp, counter: StatementCounter) -> None:
        self.app = app
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != STATEMENTS_PATH:
            await self.app(scope, receive, send)
            return
        body = self.counter.as_json()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.counted_subgraph", description=__doc__)
    parser.add_argument("domain", choices=sorted(DOMAINS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--peer", action="append", default=[], metavar="NAME=URL")
    parser.add_argument("--tuned", action="store_true", help="what-if settings, see above")
    return parser.parse_args(argv)


_TUNED_ENGINE_OPTIONS = {
    "pool_size": 30,
    "max_overflow": 0,
    "pool_pre_ping": False,
    "isolation_level": "AUTOCOMMIT",
}


def _counting(app: ASGIApp, database: Database) -> ASGIApp:
    return StatementCountingApp(app, StatementCounter(database.engine))


async def _serve(args: argparse.Namespace) -> None:
    await serve_subgraph(
        args.domain,
        args.host,
        args.port,
        dict(item.split("=", 1) for item in args.peer),
        engine_options=_TUNED_ENGINE_OPTIONS if args.tuned else None,
        wrap=_counting,
        log_level="warning",
    )


def main(argv: Sequence[str] | None = None) -> None:
    event_loop.run(_serve(_parse(argv)))


if __name__ == "__main__":
    main()
