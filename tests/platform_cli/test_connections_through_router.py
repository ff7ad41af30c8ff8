"""Connections through the router over the checked-in ``schema.graphql``: a sorted, backward
page of each customer's orders (orders subgraph) inside a sorted page of customers
(customers subgraph), PageInfo (shareable) from both, and a foreign cursor refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from models.customers import Customer
from models.database import Database
from models.orders import Order
from platform_cli.dev import Platform
from subgraphs.registry import DOMAINS
from tests.project_access import project_platform, router_client

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema.graphql"
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
QUERY = f"""query($after: String, $ordersBefore: String) {{
  customers(first: 3, after: $after, orderBy: {{field: NAME, direction: DESC}}) {{
    totalCount {PAGE_INFO}
    nodes {{ id
      orders(last: 2, before: $ordersBefore, orderBy: {{field: TOTAL, direction: ASC}}) {{
        totalCount {PAGE_INFO} nodes {{ id total {{ minorUnits }} }} }} }} }} }}"""


@pytest.fixture
async def router(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    databases = {name: database for name in DOMAINS}
    platform: Platform
    async with (
        project_platform(databases, SUPERGRAPH.read_text()) as platform,
        router_client(platform.router_app) as client,
    ):
        yield client


async def _post(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    return body


async def test_sorted_backward_pages_across_two_subgraphs(
    router: httpx.AsyncClient, database: Database
) -> None:
    body = await _post(router, QUERY)
    assert "errors" not in body, body
    customers = body["data"]["customers"]
    async with database.sessions() as session:
        total = int(await session.scalar(select(func.count()).select_from(Customer)) or 0)
        expected = [
            str(id_)
            for id_ in await session.scalars(
                select(Customer.id).order_by(Customer.name.desc(), Customer.id.desc()).limit(3)
            )
        ]
    assert customers["totalCount"] == total
    assert [node["id"] for node in customers["nodes"]] == expected
    assert customers["pageInfo"]["hasNextPage"] is True
    assert customers["pageInfo"]["hasPreviousPage"] is False
    for node in customers["nodes"]:
        async with database.sessions() as session:
            mine = list(
                await session.scalars(
                    select(Order.total_minor)
                    .where(Order.customer_id == int(node["id"]))
                    .order_by(Order.total_minor, Order.id)
                )
            )
        orders = node["orders"]
        assert orders["totalCount"] == len(mine)
        assert [order["total"]["minorUnits"] for order in orders["nodes"]] == mine[-2:]
        assert orders["pageInfo"]["hasPreviousPage"] is (len(mine) > 2)
        assert orders["pageInfo"]["hasNextPage"] is False


async def test_a_cursor_of_another_connection_is_bad_user_input(
    router: httpx.AsyncClient,
) -> None:
    first = (await _post(router, QUERY))["data"]["customers"]
    orders_cursor = first["nodes"][0]["orders"]["pageInfo"]["startCursor"]
    body = await _post(router, QUERY, after=orders_cursor)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # A customer's own orders cursor works for that customer only; the others' orders null.
    body = await _post(router, QUERY, ordersBefore=orders_cursor)
    nodes = body["data"]["customers"]["nodes"]
    assert nodes[0]["orders"] is not None
    assert all(node["orders"] is None for node in nodes[1:])
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}


def _readme_graphql_blocks() -> list[str]:
    text = (SUPERGRAPH.parent / "README.md").read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```graphql\n")[1:]]


async def test_the_readme_graphql_examples_run(router: httpx.AsyncClient) -> None:
    blocks = _readme_graphql_blocks()
    assert blocks
    for block in blocks:
        body = await _post(router, block)
        assert "errors" not in body, body
    orders = body["data"]["customer"]["orders"]  # the connections example comes last
    totals = [float(node["total"]["amount"]) for node in orders["nodes"]]
    assert totals == sorted(totals, reverse=True)
    assert orders["totalCount"] >= len(totals)
