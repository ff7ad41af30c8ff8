from __future__ import annotations

import httpx
from sqlalchemy import text
from starlette.types import Receive, Scope, Send

from bench.counted_subgraph import STATEMENTS_PATH, StatementCounter, StatementCountingApp
from models.database import open_database


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


async def test_counts_statements_and_serves_the_count() -> None:
    database = open_database("sqlite+aiosqlite:///:memory:")
    counter = StatementCounter(database.engine)
    try:
        async with database.engine.connect() as connection:
            baseline = counter.statements  # connecting runs the SQLite pragmas
            for _ in range(3):
                await connection.execute(text("SELECT 1"))
            await connection.rollback()
            async with connection.begin():
                await connection.execute(text("SELECT 2"))
    finally:
        await database.dispose()
    assert counter.statements - baseline == 4
    assert counter.transaction_commands == 4  # (autobegin, rollback), (begin, commit)
    app = StatementCountingApp(_hello, counter)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://subgraph") as client:
        assert (await client.get(STATEMENTS_PATH)).json() == {
            "statements": counter.statements,
            "transactionCommands": 4,
        }
        assert (await client.post("/graphql")).text == "hello"
