"""The orders subgraph over HTTP: queries, Customer.orders, entities, the statement-count
guard, placeOrder across customers/products/inventory, the lifecycle, and the outbox."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import func, select

from events.bus import EventBus
from events.catalogue import check
from events.consumer import drain
from events.embedded_bus import EmbeddedBus
from events.envelope import Envelope, decode
from events.errors import BrokerUnavailable
from events.nats_bus import NatsBus
from events.relay import relay_pending
from models import marketing
from models.database import Database, open_database
from models.inventory import Reservation, ReservationStatus, StockLevel
from models.orders import Order, OrderEvent, OrderLine
from models.seed import generate
from models.seed.inventory import stock_quantity
from subgraphs.marketing.order_events import CONSUMER, order_event_handler
from subgraphs.orders import placement
from subgraphs.orders.validation import MAX_QUANTITY
from subgraphs.workers import running_workers
from tests.conftest import TEST_SCALE, GraphQL, StatementCounter
from tests.events.harness import NATS_URL, new_namespace

_ALL = [generate.order(TEST_SCALE, id_) for id_ in range(1, TEST_SCALE.orders + 1)]

ORDER_FIELDS = """id status createdAt updatedAt customer { id }
total { amount currency minorUnits }
lines { quantity product { id } unitPrice { minorUnits } lineTotal { minorUnits } }"""


def check_encoded(envelope: str) -> Envelope:
    decoded = decode(envelope.encode())
    check(decoded)
    return decoded


async def _count(
    database: Database, model: type[Order] | type[OrderLine] | type[OrderEvent]
) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_order_by_id_matches_the_seed(graphql: GraphQL) -> None:
    expected = generate.order(TEST_SCALE, 7)
    body = await graphql(
        "orders", f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}", id="7"
    )
    order = body["data"]["order"]
    assert order["customer"] == {"id": str(expected.customer_id)}
    assert order["status"] == expected.status
    assert order["total"]["minorUnits"] == expected.total_minor
    assert order["total"]["currency"] == "CNY"
    assert [(line["product"]["id"], line["quantity"]) for line in order["lines"]] == [
        (str(line.product_id), line.quantity) for line in expected.lines
    ]
    for line, seeded in zip(order["lines"], expected.lines, strict=True):
        assert line["unitPrice"]["minorUnits"] == seeded.unit_price_minor
        assert line["lineTotal"]["minorUnits"] == seeded.unit_price_minor * seeded.quantity


async def test_unknown_order_is_null_and_malformed_id_is_bad_input(graphql: GraphQL) -> None:
    body = await graphql("orders", '{ order(id: "99999999") { id } }')
    assert body == {"data": {"order": None}}
    body = await graphql("orders", '{ order(id: "-3") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_orders_pages_newest_first_with_filters(graphql: GraphQL) -> None:
    query = """query($after: String, $filter: OrderFilter) {
      orders(first: 30, after: $after, filter: $filter) {
        edges { node { id status customer { id } } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[int] = []
    after = None
    while True:
        page = (await graphql("orders", query, after=after, filter={"status": "PAID"}))["data"][
            "orders"
        ]
        seen.extend(int(edge["node"]["id"]) for edge in page["edges"])
        assert {edge["node"]["status"] for edge in page["edges"]} <= {"PAID"}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    paid = sorted((o.id for o in _ALL if o.status == "PAID"), reverse=True)
    assert [id_ for id_ in seen if id_ <= TEST_SCALE.orders] == paid
    assert seen == sorted(seen, reverse=True)
    customer_id = _ALL[0].customer_id
    page = (await graphql("orders", query, filter={"customerId": str(customer_id)}))["data"]
    ids = [int(edge["node"]["id"]) for edge in page["orders"]["edges"]]
    mine = sorted((o.id for o in _ALL if o.customer_id == customer_id), reverse=True)
    assert [id_ for id_ in ids if id_ <= TEST_SCALE.orders] == mine[:30]


async def test_bad_cursor_page_size_filter_and_enum(graphql: GraphQL) -> None:
    for query in (
        '{ orders(after: "zzz") { nodes { id } } }',
        "{ orders(first: -1) { nodes { id } } }",
        '{ orders(filter: {customerId: "x"}) { nodes { id } } }',
    ):
        body = await graphql("orders", query)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", query
    body = await graphql("orders", "{ orders(filter: {status: LOST}) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


CUSTOMER_ORDERS = """query($r: [_Any!]!, $first: Int!, $after: String) {
  _entities(representations: $r) {
    ... on Customer { id orders(first: $first, after: $after) {
      edges { cursor node { id total { amount } lines { quantity product { id } } } }
      pageInfo { hasNextPage endCursor } } }
  }
}"""


def _customers(ids: range | list[int]) -> list[dict[str, str]]:
    return [{"__typename": "Customer", "id": str(id_)} for id_ in ids]


async def test_customer_orders_newest_first_and_paged(graphql: GraphQL) -> None:
    busiest = max(
        range(1, TEST_SCALE.customers + 1), key=lambda c: sum(o.customer_id == c for o in _ALL)
    )
    mine = sorted((o.id for o in _ALL if o.customer_id == busiest), reverse=True)
    assert len(mine) > 3
    body = await graphql("orders", CUSTOMER_ORDERS, r=_customers([busiest]), first=2)
    first_page = body["data"]["_entities"][0]["orders"]
    assert [int(e["node"]["id"]) for e in first_page["edges"]] == mine[:2]
    assert first_page["pageInfo"]["hasNextPage"] is True
    body = await graphql(
        "orders",
        CUSTOMER_ORDERS,
        r=_customers([busiest]),
        first=100,
        after=first_page["pageInfo"]["endCursor"],
    )
    rest = body["data"]["_entities"][0]["orders"]
    assert [int(e["node"]["id"]) for e in rest["edges"]][: len(mine) - 2] == mine[2:]


async def test_customer_without_orders_has_an_empty_page(graphql: GraphQL) -> None:
    body = await graphql("orders", CUSTOMER_ORDERS, r=_customers([987654]), first=5)
    assert body["data"]["_entities"][0]["orders"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_customer_orders_cost_the_same_for_5_and_50_customers(
    graphql: GraphQL, statements: StatementCounter
) -> None:
    counts = []
    for size in (5, 50):
        statements.reset()
        body = await graphql("orders", CUSTOMER_ORDERS, r=_customers(range(1, size + 1)), first=10)
        entities = body["data"]["_entities"]
        assert len(entities) == size
        assert sum(len(e["orders"]["edges"]) for e in entities) > size
        counts.append(statements.count)
    assert counts[0] == counts[1] == 2  # orders (window) + lines


async def test_order_entities(graphql: GraphQL, statements: StatementCounter) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Order { id status customer { id } lines { quantity } } } }"""
    counts = []
    for size in (5, 50):
        statements.reset()
        r = [{"__typename": "Order", "id": str(i)} for i in range(1, size + 1)]
        body = await graphql("orders", query, r=[*r, {"__typename": "Order", "id": "88888888"}])
        entities = body["data"]["_entities"]
        assert entities[-1] is None
        assert [e["customer"]["id"] for e in entities[:-1]] == [
            str(o.customer_id) for o in _ALL[:size]
        ]
        counts.append(statements.count)
    assert counts[0] == counts[1] == 2


async def test_sdl_declares_the_contract(graphql: GraphQL) -> None:
    sdl = (await graphql("orders", "{ _service { sdl } }"))["data"]["_service"]["sdl"]
    assert 'type Product @key(fields: "id", resolvable: false)' in sdl
    assert (
        'type Order @requiresScopes(scopes: [["staff"], ["orders:read"], ["customer"]]) '
        '@key(fields: "id")' in sdl
    )
    for argument in ("first: Int = null", "after: String = null", "last: Int = null"):
        assert argument in sdl
    assert "orderBy: OrderSort = null\n  ): OrderConnection @listSize(" in sdl


# --- placeOrder, the lifecycle and the outbox: across customers, products and inventory ---

PLACE = (
    f"""mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{ {ORDER_FIELDS} }} }}"""
)
UPDATE = """mutation($id: ID!, $status: OrderStatus!) {
  updateOrderStatus(id: $id, status: $status) { id status } }"""
CANCEL = "mutation($id: ID!) { cancelOrder(id: $id) { id status } }"

_keys = itertools.count(1)
_LISTED = [p.id for p in generate.products(TEST_SCALE) if p.status == "LISTED"]
_UNLISTED = [p.id for p in generate.products(TEST_SCALE) if p.status != "LISTED"]
_BUYER = TEST_SCALE.customers


def _key() -> str:
    return f"test-{uuid.uuid4().hex[:12]}-{next(_keys)}"


def _order(key: str, lines: list[tuple[int, int]], customer: int = _BUYER) -> dict[str, Any]:
    return {
        "customerId": str(customer),
        "idempotencyKey": key,
        "lines": [{"productId": str(p), "quantity": q} for p, q in lines],
    }


class Stock(NamedTuple):
    on_hand: int
    reserved: int


async def _stock(database: Database, product_id: int) -> Stock:
    async with database.sessions() as session:
        row = (
            await session.execute(
                select(func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)).where(
                    StockLevel.product_id == product_id
                )
            )
        ).one()
    return Stock(int(row[0] or 0), int(row[1] or 0))


async def _state(database: Database) -> tuple[int, ...]:
    """Row counts of everything placeOrder may write, plus all reserved units."""
    async with database.sessions() as session:
        reserved = await session.scalar(select(func.sum(StockLevel.reserved)))
        reservations = await session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(Reservation.status == ReservationStatus.ACTIVE)
        )
    counts = [await _count(database, model) for model in (Order, OrderLine, OrderEvent)]
    return (*counts, int(reserved or 0), int(reservations or 0))


async def test_place_order_prices_reserves_and_writes_the_outbox(
    graphql: GraphQL, database: Database
) -> None:
    first, second = _LISTED[0], _LISTED[1]
    before = [await _stock(database, p) for p in (first, second)]
    key = _key()
    body = await graphql("orders", PLACE, input=_order(key, [(second, 1), (first, 2)]))
    order = body["data"]["placeOrder"]
    prices = {p: generate.product(TEST_SCALE, p).price_minor for p in (first, second)}
    assert order["status"] == "PENDING"
    assert order["customer"] == {"id": str(_BUYER)}
    assert [(line["product"]["id"], line["quantity"]) for line in order["lines"]] == [
        (str(first), 2),
        (str(second), 1),
    ]
    assert order["total"]["minorUnits"] == 2 * prices[first] + prices[second]
    assert order["lines"][0]["lineTotal"]["minorUnits"] == 2 * prices[first]
    after = [await _stock(database, p) for p in (first, second)]
    assert [a.reserved - b.reserved for a, b in zip(after, before, strict=True)] == [2, 1]
    async with database.sessions() as session:
        event = await session.scalar(
            select(OrderEvent).where(OrderEvent.aggregate_id == order["id"])
        )
    assert event is not None and event.event_type == "orders.OrderPlaced" and not event.published
    placed = check_encoded(event.envelope)
    assert (placed.subject, placed.data["orderId"]) == (order["id"], order["id"])
    assert placed.data["lines"] == [
        {"productId": str(first), "quantity": 2, "unitPriceMinor": prices[first]},
        {"productId": str(second), "quantity": 1, "unitPriceMinor": prices[second]},
    ]
    # The new order is the customer's newest.
    body = await graphql("orders", CUSTOMER_ORDERS, r=_customers([_BUYER]), first=1)
    assert body["data"]["_entities"][0]["orders"]["edges"][0]["node"]["id"] == order["id"]


async def test_same_key_returns_the_same_order_and_a_different_input_conflicts(
    graphql: GraphQL, database: Database
) -> None:
    key = _key()
    placed = (await graphql("orders", PLACE, input=_order(key, [(_LISTED[2], 1)])))["data"][
        "placeOrder"
    ]
    state = await _state(database)
    again = (await graphql("orders", PLACE, input=_order(key, [(_LISTED[2], 1)])))["data"][
        "placeOrder"
    ]
    assert again == placed
    body = await graphql("orders", PLACE, input=_order(key, [(_LISTED[2], 2)]))
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert await _state(database) == state


async def test_idempotency_keys_belong_to_their_customer(
    graphql: GraphQL, database: Database
) -> None:
    """Two customers may pick the same key: each gets an order of their own, and a conflict
    never names another customer's order."""
    key = _key()
    product = _LISTED[4]
    bodies = [
        await graphql("orders", PLACE, input=_order(key, [(product, 1)], customer=customer))
        for customer in (1, 2)
    ]
    orders = [body["data"]["placeOrder"] for body in bodies]
    assert [order["customer"]["id"] for order in orders] == ["1", "2"]
    assert orders[0]["id"] != orders[1]["id"]
    state = await _state(database)
    body = await graphql("orders", PLACE, input=_order(key, [(product, 2)], customer=2))
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert orders[0]["id"] not in json.dumps(error)
    assert error["extensions"].get("orderId") in (None, orders[1]["id"])
    assert await _state(database) == state
    # Cancelling releases each customer's own reservation (references are per customer too).
    before = await _stock(database, product)
    await graphql("orders", CANCEL, id=orders[0]["id"])
    assert (await _stock(database, product)).reserved == before.reserved - 1
    again = await graphql("orders", PLACE, input=_order(key, [(product, 1)], customer=2))
    assert again["data"]["placeOrder"] == orders[1]


async def test_concurrent_requests_with_one_key_place_one_order(
    graphql: GraphQL, database: Database
) -> None:
    state = await _state(database)
    product = _LISTED[3]
    before = await _stock(database, product)
    key = _key()
    bodies = await asyncio.gather(
        *(graphql("orders", PLACE, input=_order(key, [(product, 1)])) for _ in range(3))
    )
    ids = {body["data"]["placeOrder"]["id"] for body in bodies}
    assert len(ids) == 1
    assert (await _state(database))[:3] == (state[0] + 1, state[1] + 1, state[2] + 1)
    assert (await _stock(database, product)).reserved == before.reserved + 1


def _short_product_and_quantity() -> tuple[int, int]:
    """A listed product and a quantity (within the per-line limit) its stock cannot cover."""
    totals = {
        p: sum(stock_quantity(TEST_SCALE, p, w) for w in range(1, TEST_SCALE.warehouses + 1))
        for p in _LISTED
    }
    product = min(totals, key=lambda p: totals[p])
    assert totals[product] < MAX_QUANTITY
    return product, MAX_QUANTITY


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: _order(_key(), [(_LISTED[0], 0)]), "BAD_USER_INPUT"),
        (lambda: _order(_key(), [(_LISTED[0], -3)]), "BAD_USER_INPUT"),
        (lambda: _order(_key(), [(_LISTED[0], MAX_QUANTITY + 1)]), "BAD_USER_INPUT"),
        (lambda: _order(_key(), []), "BAD_USER_INPUT"),
        (lambda: _order(_key(), [(_LISTED[0], 1), (_LISTED[0], 2)]), "BAD_USER_INPUT"),
        (lambda: {**_order(_key(), [(_LISTED[0], 1)]), "customerId": "abc"}, "BAD_USER_INPUT"),
        (lambda: {**_order(_key(), [(_LISTED[0], 1)]), "idempotencyKey": ""}, "BAD_USER_INPUT"),
        (
            lambda: {**_order(_key(), [(_LISTED[0], 1)]), "idempotencyKey": "x" * 101},
            "BAD_USER_INPUT",
        ),
        (
            lambda: {
                **_order(_key(), [(_LISTED[0], 1)]),
                "lines": [{"productId": "-1", "quantity": 1}],
            },
            "BAD_USER_INPUT",
        ),
        (lambda: _order(_key(), [(_LISTED[0], 1)], customer=424242), "NOT_FOUND"),
        (lambda: _order(_key(), [(_LISTED[0], 1), (434343, 1)]), "NOT_FOUND"),
        (lambda: _order(_key(), [(_LISTED[0], 1), (_UNLISTED[0], 1)]), "CONFLICT"),
        (lambda: _order(_key(), [(_LISTED[0], 1), _short_product_and_quantity()]), "CONFLICT"),
    ],
)
async def test_rejected_orders_change_nothing(
    graphql: GraphQL, database: Database, build: Any, code: str
) -> None:
    state = await _state(database)
    body = await graphql("orders", PLACE, input=build())
    assert body["errors"][0]["extensions"]["code"] == code, body
    assert body["data"] is None
    assert await _state(database) == state


async def test_rejections_name_the_product(graphql: GraphQL) -> None:
    short, quantity = _short_product_and_quantity()
    for lines, code, product in (
        ([(_LISTED[0], 1), (434343, 1)], "NOT_FOUND", 434343),
        ([(_LISTED[0], 1), (_UNLISTED[0], 1)], "CONFLICT", _UNLISTED[0]),
        ([(_LISTED[0], 1), (short, quantity)], "CONFLICT", short),
    ):
        body = await graphql("orders", PLACE, input=_order(_key(), lines))
        extensions = body["errors"][0]["extensions"]
        assert (extensions["code"], extensions["productId"]) == (code, str(product))


async def test_a_failed_write_releases_the_reservation(
    graphql: GraphQL, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing_insert(*_args: Any) -> Order:
        raise OSError("disk full")

    monkeypatch.setattr(placement, "_insert", failing_insert)
    state = await _state(database)
    body = await graphql("orders", PLACE, input=_order(_key(), [(_LISTED[4], 2)]))
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await _state(database) == state


async def _place(graphql: GraphQL, product: int, quantity: int = 1) -> str:
    body = await graphql("orders", PLACE, input=_order(_key(), [(product, quantity)]))
    return str(body["data"]["placeOrder"]["id"])


async def test_lifecycle_to_delivered_fulfils_the_stock(
    graphql: GraphQL, database: Database
) -> None:
    product = _LISTED[5]
    before = await _stock(database, product)
    order_id = await _place(graphql, product, 3)
    for status in ("PAID", "SHIPPED"):
        body = await graphql("orders", UPDATE, id=order_id, status=status)
        assert body["data"]["updateOrderStatus"] == {"id": order_id, "status": status}
    shipped = await _stock(database, product)
    assert shipped == Stock(before.on_hand - 3, before.reserved)
    for status in ("PAID", "PENDING", "CANCELLED", "SHIPPED"):
        body = await graphql("orders", UPDATE, id=order_id, status=status)
        assert body["errors"][0]["extensions"]["code"] == "CONFLICT", status
    body = await graphql("orders", UPDATE, id=order_id, status="DELIVERED")
    assert body["data"]["updateOrderStatus"]["status"] == "DELIVERED"
    body = await graphql("orders", CANCEL, id=order_id)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    body = await graphql("orders", "query($id: ID!) { order(id: $id) { status } }", id=order_id)
    assert body["data"]["order"] == {"status": "DELIVERED"}
    assert await _stock(database, product) == shipped


async def test_cancel_releases_the_stock(graphql: GraphQL, database: Database) -> None:
    product = _LISTED[6]
    before = await _stock(database, product)
    order_id = await _place(graphql, product, 2)
    assert (await _stock(database, product)).reserved == before.reserved + 2
    body = await graphql("orders", UPDATE, id=order_id, status="PAID")
    body = await graphql("orders", CANCEL, id=order_id)
    assert body["data"]["cancelOrder"] == {"id": order_id, "status": "CANCELLED"}
    assert await _stock(database, product) == before
    body = await graphql("orders", UPDATE, id=order_id, status="PAID")
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_status_change_errors(graphql: GraphQL, database: Database) -> None:
    pending = next(o for o in _ALL if o.status == "PENDING")
    state = await _state(database)
    body = await graphql("orders", UPDATE, id=str(pending.id), status="SHIPPED")
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    body = await graphql("orders", UPDATE, id="7777777", status="PAID")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await graphql("orders", CANCEL, id="nope")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await graphql("orders", UPDATE, id=str(pending.id), status="LOST")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _state(database) == state
    body = await graphql(
        "orders", "query($id: ID!) { order(id: $id) { status } }", id=str(pending.id)
    )
    assert body["data"]["order"] == {"status": "PENDING"}


@pytest.fixture(params=["embedded", "nats"])
async def marketing_side(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Database, EventBus]]:
    """Marketing's own store and a bus of the test's own (embedded, or a fresh namespace on
    NATS), so consuming here leaves the shared marketing tables (and the recommendation
    tests) untouched."""
    inbox = open_database(f"sqlite+aiosqlite:///{tmp_path / 'marketing.db'}")
    await inbox.create_tables(marketing.Base.metadata)
    bus: EventBus
    if request.param == "nats":
        bus = NatsBus(NATS_URL, namespace=new_namespace())
        try:
            await bus.jetstream()
        except BrokerUnavailable as error:
            await inbox.dispose()
            pytest.skip(f"NATS JetStream not reachable at {NATS_URL}: {error}")
    else:
        events = open_database(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
        bus = EmbeddedBus(events, owns_database=True)
    yield inbox, bus
    if isinstance(bus, NatsBus):
        await bus.delete_streams("orders", "deadletter")
    await bus.close()
    await inbox.dispose()


async def _fact(inbox: Database, product: int) -> int | None:
    async with inbox.sessions() as session:
        fact = await session.get(marketing.PurchaseFact, (_BUYER, product))
        return None if fact is None else fact.quantity


async def _deliver(database: Database, inbox: Database, bus: EventBus) -> None:
    await relay_pending(database, OrderEvent, bus)
    await drain(bus, CONSUMER, order_event_handler(inbox), batch=500)


async def test_status_changes_and_the_cancellation_are_staged_with_the_change(
    graphql: GraphQL, database: Database
) -> None:
    order_id = await _place(graphql, _LISTED[10], 2)
    await graphql("orders", UPDATE, id=order_id, status="PAID")
    await graphql("orders", CANCEL, id=order_id)
    async with database.sessions() as session:
        rows = await session.scalars(
            select(OrderEvent).where(OrderEvent.aggregate_id == order_id).order_by(OrderEvent.id)
        )
        envelopes = [decode(row.envelope.encode()) for row in rows]
    assert [e.type for e in envelopes] == [
        "orders.OrderPlaced",
        "orders.OrderStatusChanged",
        "orders.OrderStatusChanged",
        "orders.OrderCancelled",
    ]
    for envelope in envelopes:
        check(envelope)
        assert envelope.subject == order_id and envelope.source == "/ops-platform/orders"
    assert [(e.data["from"], e.data["to"]) for e in envelopes[1:3]] == [
        ("PENDING", "PAID"),
        ("PAID", "CANCELLED"),
    ]
    assert envelopes[3].data["previousStatus"] == "PAID"
    assert envelopes[3].data["lines"] == [{"productId": str(_LISTED[10]), "quantity": 2}]


async def test_order_events_reach_marketing_once_and_a_cancellation_takes_them_back(
    graphql: GraphQL, database: Database, marketing_side: tuple[Database, EventBus]
) -> None:
    inbox, bus = marketing_side
    await _deliver(database, inbox, bus)  # whatever earlier tests left in the outbox
    product = _LISTED[7]
    before = await _fact(inbox, product)
    order_id = int(await _place(graphql, product, 3))
    await _deliver(database, inbox, bus)
    assert await _fact(inbox, product) == (before or 0) + 3
    async with inbox.sessions() as session:
        recorded = await session.get(marketing.RecordedOrder, order_id)
    assert recorded is not None and recorded.customer_id == _BUYER
    async with database.sessions() as session:
        placed = await session.scalar(
            select(OrderEvent.envelope).where(OrderEvent.aggregate_id == str(order_id))
        )
        pending = await session.scalar(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.published.is_(False))
        )
    assert placed is not None and pending == 0
    # The same event delivered again (a relay that crashed before marking it) is a no-op.
    await bus.publish("orders.OrderPlaced", placed.encode(), message_id="redelivered")
    await _deliver(database, inbox, bus)
    assert await _fact(inbox, product) == (before or 0) + 3
    await graphql("orders", CANCEL, id=str(order_id))
    await _deliver(database, inbox, bus)
    assert await _fact(inbox, product) == before


async def test_the_outbox_keeps_events_while_the_bus_is_down(
    graphql: GraphQL,
    database: Database,
    marketing_side: tuple[Database, EventBus],
    tmp_path: Path,
) -> None:
    inbox, bus = marketing_side
    await _deliver(database, inbox, bus)
    down: EventBus
    if isinstance(bus, NatsBus):
        down = NatsBus("nats://127.0.0.1:7799", namespace=bus.namespace)  # nothing listens
    else:
        (tmp_path / "down").write_text("")  # a file where the bus's directory should be
        store = open_database(f"sqlite+aiosqlite:///{tmp_path / 'down' / 'events.db'}")
        down = EmbeddedBus(store, owns_database=True)
    await _place(graphql, _LISTED[8], 1)
    assert await relay_pending(database, OrderEvent, down) == 0
    await down.close()
    assert await relay_pending(database, OrderEvent, bus) == 1


async def test_the_background_workers_carry_an_order_to_marketing(
    graphql: GraphQL, database: Database, marketing_side: tuple[Database, EventBus]
) -> None:
    inbox, bus = marketing_side
    async with running_workers({"orders": database, "marketing": inbox}, bus):
        order_id = int(await _place(graphql, _LISTED[9], 1))
        for _ in range(300):
            async with inbox.sessions() as session:
                if await session.get(marketing.RecordedOrder, order_id) is not None:
                    break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the workers did not carry the order to marketing")


async def test_seeded_history_moves_without_a_reservation(graphql: GraphQL) -> None:
    seeded = [o for o in _ALL if o.status == "PENDING"][-1]
    body = await graphql("orders", CANCEL, id=str(seeded.id))
    assert body["data"]["cancelOrder"] == {"id": str(seeded.id), "status": "CANCELLED"}
