"""At start-up development migrates, production only checks and refuses a database behind;
``python -m subgraphs serve`` exits with the command to run instead of serving."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from models.database import Database
from models.migrate import SchemaBehind, current, downgrade, migrates_at_startup, prepare_schema


def test_production_only_checks() -> None:
    assert migrates_at_startup({})
    assert migrates_at_startup({"OPS_MODE": "development"})
    assert not migrates_at_startup({"OPS_MODE": " Production "})


async def test_development_migrates(scratch: Database) -> None:
    state = await prepare_schema(scratch, "router", migrate=True)
    assert state.revision == state.head


async def test_production_refuses_a_database_behind(scratch: Database) -> None:
    with pytest.raises(SchemaBehind, match="at no revision"):
        await prepare_schema(scratch, "router", migrate=False)
    await prepare_schema(scratch, "router", migrate=True)
    await downgrade(scratch, "router", "router_0001")
    with pytest.raises(SchemaBehind) as refused:
        await prepare_schema(scratch, "router", migrate=False)
    assert "python -m models.migrate upgrade --domain router" in str(refused.value)
    assert (await current(scratch, "router")).revision == "router_0001"  # left alone


async def test_production_accepts_a_database_at_head(scratch: Database) -> None:
    await prepare_schema(scratch, "orders", migrate=True)
    state = await prepare_schema(scratch, "orders", migrate=False)
    assert state.revision == state.head


_START = """
import asyncio, sys
from models.database import open_database
from models.migrate import prepare_schema

async def start():
    database = open_database(sys.argv[1])
    try:
        print((await prepare_schema(database, "orders", migrate=True)).revision)
    finally:
        await database.dispose()

asyncio.run(start())
"""


async def test_processes_starting_together_all_find_head(scratch: Database) -> None:
    """Replicas migrating one fresh database at the same moment (PostgreSQL: one at a time
    under a lock; SQLite: the losers of a race try again)."""
    url = scratch.engine.url.render_as_string(hide_password=False)
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", _START, url, stdout=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = [(await process.communicate())[0].decode().strip() for process in processes]
    head = (await current(scratch, "orders")).head
    assert outputs == [head] * 3
    assert (await current(scratch, "orders")).revision == head


def test_a_subgraph_refuses_to_start_on_a_database_behind(scratch_url: str) -> None:
    environment = {
        **os.environ,
        "OPS_MODE": "production",
        "ROUTER_IDENTITY_SECRET": "s" * 32,
        "DATABASE_URL": scratch_url,
        "EVENTS_URL": "",
    }
    finished = subprocess.run(
        [sys.executable, "-m", "subgraphs", "serve", "products", "--port", "0"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "python -m models.migrate upgrade --domain products" in finished.stderr
