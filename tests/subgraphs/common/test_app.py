"""The subgraph app's HTTP edges (what a POST that is not JSON gets) and its lifespan (the
domain's background workers)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from models.database import Database, open_database
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.identity import IdentityVerifier
from subgraphs.common.peers import Peers
from subgraphs.customers.erasure_retrier import retry_erasures_forever
from subgraphs.registry import DOMAINS
from tests.conftest import subgraph_url


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"query=%7B__typename%7D"),
        ("text/plain", b'{"query": "{ __typename }"}'),
        ("multipart/form-data; boundary=x", b"--x--"),
    ],
)
async def test_a_post_that_is_not_json_is_415(
    http: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    response = await http.post(
        subgraph_url("customers"), content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert "application/json" in response.text


async def test_json_with_a_charset_is_still_json(http: httpx.AsyncClient) -> None:
    response = await http.post(
        subgraph_url("customers"),
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_workers_run_for_the_lifespan_with_the_identity_secret(tmp_path: Path) -> None:
    """A domain's workers (the customers erasure retrier) start with the app and are
    cancelled when it stops."""
    started: list[tuple[Database, Peers, str | None]] = []
    cancelled = asyncio.Event()

    async def worker(database: Database, peers: Peers, secret: str | None) -> None:
        started.append((database, peers, secret))
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'workers.db'}")
    peers = Peers()
    app = create_subgraph_app(
        "customers",
        DOMAINS["customers"].schema,
        database,
        DOMAINS["customers"].metadata,
        peers,
        identity=IdentityVerifier("a-shared-secret", production=True),
        workers=[worker],
    )
    try:
        async with app.router.lifespan_context(app):
            await asyncio.sleep(0)
            assert started == [(database, peers, "a-shared-secret")]
            assert not cancelled.is_set()
        assert cancelled.is_set()
    finally:
        await database.dispose()


def test_the_customers_domain_runs_the_erasure_retrier() -> None:
    assert DOMAINS["customers"].worker_functions == (retry_erasures_forever,)
    assert all(not DOMAINS[name].workers for name in DOMAINS if name != "customers")
