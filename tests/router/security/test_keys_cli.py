"""``python -m router keys ...`` against a real database."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete

from models.database import open_database
from models.router_keys import ApiKey, RouterBase
from router.__main__ import main
from router.security.api_keys import ApiKeyStore
from router.security.bearer import InvalidCredential
from router.security.identity import RateQuota
from router.security.keys_cli import parse_expiry, parse_rate_limit


@pytest.fixture
async def url(tmp_path: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    database = open_database(url)
    await database.create_tables(RouterBase.metadata)
    async with database.sessions() as session, session.begin():
        await session.execute(delete(ApiKey))
    await database.dispose()
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


async def authenticate(url: str, key: str) -> str | None:
    database = open_database(url)
    try:
        return (await ApiKeyStore(database).authenticate(key)).client_id
    except InvalidCredential:
        return None
    finally:
        await database.dispose()


def test_create_list_rotate_revoke(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    out = run(
        capsys,
        "keys",
        "--database-url",
        url,
        "create",
        "--client",
        "acme",
        "--scopes",
        "orders:read, products:read",
        "--expires",
        "90d",
    )
    key = re.search(r"key:\s+(opk_\S+)", out)
    key_id = re.search(r"key id:\s+(\S+)", out)
    assert key and key_id and "not shown again" in out
    assert asyncio.run(authenticate(url, key.group(1))) == "acme"

    listing = run(capsys, "keys", "--database-url", url, "list")
    assert key_id.group(1) in listing and "orders:read products:read" in listing
    assert key.group(1) not in listing and "active" in listing

    rotated = run(capsys, "keys", "--database-url", url, "rotate", key_id.group(1))
    new_key = re.search(r"key:\s+(opk_\S+)", rotated)
    new_id = re.search(r"key id:\s+(\S+)", rotated)
    assert new_key and new_id
    assert asyncio.run(authenticate(url, key.group(1))) is None
    assert asyncio.run(authenticate(url, new_key.group(1))) == "acme"

    assert "revoked" in run(capsys, "keys", "--database-url", url, "revoke", new_id.group(1))
    assert asyncio.run(authenticate(url, new_key.group(1))) is None
    assert run(capsys, "keys", "--database-url", url, "list", "--active").strip() == ""


def test_revoking_an_unknown_key_fails(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "--database-url", url, "revoke", "0123456789ab"]) == 1
    assert "no API key" in capsys.readouterr().err


def test_parse_expiry() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_expiry("90d", now) == now + timedelta(days=90)
    assert parse_expiry("12h", now) == now + timedelta(hours=12)
    assert parse_expiry("2026-06-01T00:00:00", now) == datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="--expires"):
        parse_expiry("soon", now)


def test_a_key_gets_its_own_rate_limit(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    out = run(
        capsys,
        *("keys", "--database-url", url, "create", "--client", "acme"),
        *("--rate-limit", "600/m", "--burst", "20"),
    )
    key_id = re.search(r"key id:\s+(\S+)", out)
    assert key_id and "limit:   10/s (burst 20)" in out
    assert "rate_limit=10/s (burst 20)" in run(capsys, "keys", "--database-url", url, "list")

    async def quota() -> RateQuota | None:
        database = open_database(url)
        try:
            (record,) = await ApiKeyStore(database).list()
            return record.rate_limit
        finally:
            await database.dispose()

    assert asyncio.run(quota()) == RateQuota(20, 10.0)
    rotated = run(capsys, "keys", "--database-url", url, "rotate", key_id.group(1))
    assert "limit:   10/s (burst 20)" in rotated  # a rotated key keeps its limit
    new_id = re.search(r"key id:\s+(\S+)", rotated)
    assert new_id
    removed = run(
        capsys, "keys", "--database-url", url, "limit", new_id.group(1), "--rate-limit", "none"
    )
    assert "rate limit router.yaml" in removed


def test_parse_rate_limit() -> None:
    assert parse_rate_limit("100/s") == RateQuota(100, 100.0)
    assert parse_rate_limit("600 / m", burst=50) == RateQuota(50, 10.0)
    assert parse_rate_limit("3600/h") == RateQuota(3600, 1.0)
    assert parse_rate_limit("none") is None
    for bad in ("100", "0/s", "-1/s", "10/d", "fast"):
        with pytest.raises(ValueError, match="--rate-limit"):
            parse_rate_limit(bad)
    with pytest.raises(ValueError, match="--burst"):
        parse_rate_limit("1/s", burst=0)


async def test_an_older_table_gets_the_new_columns(tmp_path: Path) -> None:
    """A router_api_keys table created before keys had rate limits (and before migrations)
    is completed when the router's tables are migrated (``models.migrate.adoption``)."""
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(
                "CREATE TABLE router_api_keys (id INTEGER NOT NULL, key_id VARCHAR(32) NOT NULL,"
                " client VARCHAR(200) NOT NULL, secret_sha256 VARCHAR(64) NOT NULL,"
                " scopes JSON NOT NULL, created_at DATETIME NOT NULL, expires_at DATETIME,"
                " revoked_at DATETIME, last_used_at DATETIME, replaces VARCHAR(32),"
                " CONSTRAINT pk_router_api_keys PRIMARY KEY (id),"
                " CONSTRAINT uq_router_api_keys_key_id UNIQUE (key_id))"
            )
        store = ApiKeyStore(database)
        await store.create_tables()
        issued = await store.create("acme", [], rate_limit=RateQuota(5, 1.0))
        assert (await store.authenticate(issued.key)).rate_quota == RateQuota(5, 1.0)
    finally:
        await database.dispose()
