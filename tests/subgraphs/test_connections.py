"""Relay connections in every domain: forward and backward pages, all four pageInfo fields,
totalCount only when selected, orderBy, cursors bound to their connection and order, and
batched pages (Customer.orders, Campaign.coupons, Warehouse.stock) still one statement."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models.database import Database
from models.marketing import Coupon
from models.orders import Order
from models.products import Product
from tests.conftest import GraphQL, StatementCounter

PAGE = "edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
PRODUCTS = f"""query($first: Int, $after: String, $last: Int, $before: String,
                     $orderBy: ProductSort) {{
  products(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {{
    {PAGE} }} }}"""


async def _walk(
    graphql: GraphQL, subgraph: str, query: str, path: list[str], size: int, **variables: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    """Every id of a connection, page by page, forward; and each page's pageInfo."""
    ids: list[str] = []
    infos: list[dict[str, Any]] = []
    after = None
    while True:
        body = await graphql(subgraph, query, first=size, after=after, **variables)
        connection = _at(body, path)
        ids += [edge["node"]["id"] for edge in connection["edges"]]
        infos.append(connection["pageInfo"])
        if not connection["pageInfo"]["hasNextPage"]:
            return ids, infos
        after = connection["pageInfo"]["endCursor"]


async def _walk_back(
    graphql: GraphQL, subgraph: str, query: str, path: list[str], size: int, **variables: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    """Every id, page by page from the end (``last``/``before``), in list order."""
    ids: list[str] = []
    infos: list[dict[str, Any]] = []
    before = None
    while True:
        body = await graphql(subgraph, query, last=size, before=before, **variables)
        connection = _at(body, path)
        ids = [edge["node"]["id"] for edge in connection["edges"]] + ids
        infos.append(connection["pageInfo"])
        if not connection["pageInfo"]["hasPreviousPage"]:
            return ids, infos
        before = connection["pageInfo"]["startCursor"]


def _at(body: dict[str, Any], path: list[str]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    value: Any = body["data"]
    for step in path:
        value = value[int(step)] if isinstance(value, list) else value[step]
    result: dict[str, Any] = value
    return result


async def _product_ids(database: Database, *order_by: Any) -> list[str]:
    async with database.sessions() as session:
        return [str(id_) for id_ in await session.scalars(select(Product.id).order_by(*order_by))]


@pytest.mark.parametrize(
    ("order_by", "columns"),
    [
        (None, lambda: (Product.id,)),
        (
            {"field": "PRICE", "direction": "DESC"},
            lambda: (Product.price_minor.desc(), Product.id.desc()),
        ),
        ({"field": "NAME"}, lambda: (Product.name, Product.id)),
        (
            {"field": "CREATED_AT", "direction": "DESC"},
            lambda: (Product.created_at.desc(), Product.id.desc()),
        ),
    ],
)
async def test_products_page_forward_and_backward_in_every_order(
    graphql: GraphQL, database: Database, order_by: dict[str, str] | None, columns: Any
) -> None:
    expected = await _product_ids(database, *columns())
    forward, infos = await _walk(graphql, "products", PRODUCTS, ["products"], 7, orderBy=order_by)
    assert forward == expected
    assert [info["hasPreviousPage"] for info in infos] == [False] + [True] * (len(infos) - 1)
    backward, infos = await _walk_back(
        graphql, "products", PRODUCTS, ["products"], 7, orderBy=order_by
    )
    assert backward == expected
    assert [info["hasNextPage"] for info in infos] == [False] + [True] * (len(infos) - 1)


async def test_page_info_start_and_end_cursors_bound_a_middle_page(graphql: GraphQL) -> None:
    first = (await graphql("products", PRODUCTS, first=5))["data"]["products"]
    edges = first["edges"]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": edges[0]["cursor"],
        "endCursor": edges[-1]["cursor"],
    }
    # Between two cursors, from either end.
    between = (
        await graphql(
            "products", PRODUCTS, first=10, after=edges[0]["cursor"], before=edges[4]["cursor"]
        )
    )["data"]["products"]
    assert [e["node"]["id"] for e in between["edges"]] == [e["node"]["id"] for e in edges[1:4]]
    assert between["pageInfo"]["hasNextPage"] is False
    assert between["pageInfo"]["hasPreviousPage"] is True
    tail = (await graphql("products", PRODUCTS, last=2, before=edges[4]["cursor"]))["data"][
        "products"
    ]
    assert [e["node"]["id"] for e in tail["edges"]] == [e["node"]["id"] for e in edges[2:4]]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    assert tail["pageInfo"]["hasNextPage"] is True
    empty = (await graphql("products", PRODUCTS, first=0))["data"]["products"]
    assert empty["edges"] == []
    assert empty["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_total_count_is_counted_only_when_selected(
    graphql: GraphQL, database: Database, statements: StatementCounter
) -> None:
    query = """query($filter: OrderFilter) { orders(first: 3, filter: $filter) {
      nodes { id } %s } }"""
    async with database.sessions() as session:
        paid = len(list(await session.scalars(select(Order.id).where(Order.status == "PAID"))))
    statements.reset()
    body = await graphql("orders", query % "", filter={"status": "PAID"})
    assert len(body["data"]["orders"]["nodes"]) == 3
    without = statements.count
    statements.reset()
    body = await graphql("orders", query % "totalCount", filter={"status": "PAID"})
    assert body["data"]["orders"]["totalCount"] == paid
    assert statements.count == without + 1


async def test_orders_sort_by_total(graphql: GraphQL, database: Database) -> None:
    query = f"""query($first: Int, $after: String, $orderBy: OrderSort) {{
      orders(first: $first, after: $after, orderBy: $orderBy) {{ {PAGE} }} }}"""
    ids, _ = await _walk(
        graphql, "orders", query, ["orders"], 100, orderBy={"field": "TOTAL", "direction": "DESC"}
    )
    async with database.sessions() as session:
        expected = [
            str(id_)
            for id_ in await session.scalars(
                select(Order.id).order_by(Order.total_minor.desc(), Order.id.desc())
            )
        ]
    assert ids == expected


CUSTOMER_ORDERS = f"""query($r: [_Any!]!, $first: Int, $after: String, $last: Int,
                            $before: String, $orderBy: OrderSort) {{
  _entities(representations: $r) {{ ... on Customer {{
    orders(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {{
      totalCount {PAGE} }} }} }} }}"""


def _customers(ids: range | list[int]) -> list[dict[str, str]]:
    return [{"__typename": "Customer", "id": str(id_)} for id_ in ids]


async def _orders_of(database: Database, customer_id: int, *order_by: Any) -> list[str]:
    async with database.sessions() as session:
        statement = select(Order.id).where(Order.customer_id == customer_id).order_by(*order_by)
        return [str(id_) for id_ in await session.scalars(statement)]


async def test_customer_orders_backward_and_by_total(graphql: GraphQL, database: Database) -> None:
    by_total = {"field": "TOTAL", "direction": "ASC"}
    for customer in (3, 11):
        expected = await _orders_of(database, customer, Order.total_minor, Order.id)
        path = ["_entities", "0", "orders"]
        r = _customers([customer])
        forward, _ = await _walk(graphql, "orders", CUSTOMER_ORDERS, path, 2, r=r, orderBy=by_total)
        backward, _ = await _walk_back(
            graphql, "orders", CUSTOMER_ORDERS, path, 2, r=r, orderBy=by_total
        )
        assert forward == backward == expected
        newest = await _orders_of(database, customer, Order.created_at.desc(), Order.id.desc())
        body = await graphql("orders", CUSTOMER_ORDERS, r=r, last=2)
        page = body["data"]["_entities"][0]["orders"]
        assert [e["node"]["id"] for e in page["edges"]] == newest[-2:]
        assert page["totalCount"] == len(newest)


async def test_customer_orders_cost_the_same_for_5_and_50_customers_in_any_order(
    graphql: GraphQL, statements: StatementCounter
) -> None:
    counts = []
    for size in (5, 50):
        for arguments in (
            {"last": 3, "orderBy": {"field": "TOTAL", "direction": "DESC"}},
            {"first": 2},
        ):
            statements.reset()
            body = await graphql(
                "orders", CUSTOMER_ORDERS, r=_customers(range(1, size + 1)), **arguments
            )
            entities = body["data"]["_entities"]
            assert len(entities) == size
            assert sum(e["orders"]["totalCount"] for e in entities) > size
            counts.append(statements.count)
    assert counts == [2, 2, 2, 2]  # the page (one window) + the counts (one GROUP BY)


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"first": 2, "last": 2}, "last"),
        ({"first": 101}, "first"),
        ({"last": -1}, "last"),
        ({"after": "not-a-cursor"}, "after"),
        ({"before": "eyJ4Ijox"}, "before"),
    ],
)
async def test_bad_page_arguments_are_bad_user_input(
    graphql: GraphQL, arguments: dict[str, Any], argument: str
) -> None:
    body = await graphql("products", PRODUCTS, **arguments)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


async def test_cursors_are_bound_to_their_connection_and_order(graphql: GraphQL) -> None:
    products = (await graphql("products", PRODUCTS, first=2))["data"]["products"]
    cursor = products["pageInfo"]["endCursor"]
    by_price = {"field": "PRICE", "direction": "ASC"}
    body = await graphql("products", PRODUCTS, first=2, after=cursor, orderBy=by_price)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "another list or order" in body["errors"][0]["message"]
    body = await graphql(
        "orders", "query($a: String) { orders(after: $a) { nodes { id } } }", a=cursor
    )
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    # One customer's cursor is not a position in another customer's orders.
    page = (await graphql("orders", CUSTOMER_ORDERS, r=_customers([3]), first=1))["data"]
    cursor = page["_entities"][0]["orders"]["pageInfo"]["endCursor"]
    body = await graphql("orders", CUSTOMER_ORDERS, r=_customers([4]), first=1, after=cursor)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert body["data"]["_entities"][0]["orders"] is None


async def test_customers_and_campaigns_sort_and_page_backward(graphql: GraphQL) -> None:
    query = f"""query($first: Int, $after: String, $last: Int, $before: String,
                      $orderBy: CustomerSort) {{
      customers(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {{
        {PAGE} }} }}"""
    order_by = {"field": "CREATED_AT", "direction": "DESC"}
    forward, _ = await _walk(graphql, "customers", query, ["customers"], 9, orderBy=order_by)
    backward, _ = await _walk_back(graphql, "customers", query, ["customers"], 9, orderBy=order_by)
    assert forward == backward and len(forward) >= 60
    query = f"""query($first: Int, $after: String, $last: Int, $before: String,
                      $orderBy: CampaignSort) {{
      campaigns(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {{
        totalCount {PAGE} }} }}"""
    order_by = {"field": "STARTS_AT", "direction": "DESC"}
    forward, _ = await _walk(graphql, "marketing", query, ["campaigns"], 2, orderBy=order_by)
    backward, _ = await _walk_back(graphql, "marketing", query, ["campaigns"], 2, orderBy=order_by)
    assert forward == backward and len(forward) > 2


async def test_coupons_and_stock_page_backward_in_one_statement_per_wave(
    graphql: GraphQL, database: Database, statements: StatementCounter
) -> None:
    query = """{ campaigns(first: 100) { nodes { id coupons(last: 2) {
      totalCount nodes { id } pageInfo { hasPreviousPage hasNextPage } } } } }"""
    statements.reset()
    campaigns = (await graphql("marketing", query))["data"]["campaigns"]["nodes"]
    assert statements.count == 3  # campaigns, the coupon pages, their counts
    async with database.sessions() as session:
        coupons = list(await session.scalars(select(Coupon).order_by(Coupon.id)))
    for campaign in campaigns:
        mine = [str(c.id) for c in coupons if str(c.campaign_id) == campaign["id"]]
        page = campaign["coupons"]
        assert [node["id"] for node in page["nodes"]] == mine[-2:]
        assert page["totalCount"] == len(mine)
        assert page["pageInfo"] == {"hasPreviousPage": len(mine) > 2, "hasNextPage": False}
    query = """{ warehouses { id stock(last: 3) { totalCount nodes { product { id } } } } }"""
    statements.reset()
    body = await graphql("inventory", query)
    assert "errors" not in body, body
    assert statements.count == 3
    for warehouse in body["data"]["warehouses"]:
        ids = [int(node["product"]["id"]) for node in warehouse["stock"]["nodes"]]
        assert ids == sorted(ids) and len(ids) == 3
