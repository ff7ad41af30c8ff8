"""GraphQL types of the orders domain, and the entities it extends (Customer) or only
references (Product)."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry import UNSET
from strawberry.federation.schema_directives import Key, ListSize
from strawberry.federation.types import FieldSet
from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection

from models import orders as model
from subgraphs.common.access import ORDER_READS
from subgraphs.common.access_directives import ORDERS_READ
from subgraphs.common.context import context_of
from subgraphs.common.erasure import ERASED_CUSTOMER_ID
from subgraphs.common.ids import format_id, parse_id
from subgraphs.common.keyset import ChildPage, Page, Sort
from subgraphs.common.money import Money, money
from subgraphs.common.pagination import (
    CONNECTION_DIRECTIVES,
    After,
    Before,
    Connection,
    Counter,
    First,
    Last,
    build_connection,
    page_request,
)
from subgraphs.orders import loaders
from subgraphs.orders.sorting import OrderSort, order_sort

# An order line as the ORM object or as a row of its columns (same attribute names).
LineRow = model.OrderLine | Row[Any]

__all__ = [
    "Customer",
    "Order",
    "OrderChannel",
    "OrderFilter",
    "OrderLine",
    "OrderLineInput",
    "OrderStatus",
    "PlaceOrderInput",
    "Product",
    "order_connection",
]


OrderStatus = strawberry.enum(
    model.OrderStatus,
    description="PENDING -> PAID -> SHIPPED -> DELIVERED; PENDING or PAID -> CANCELLED.",
)


OrderChannel = strawberry.enum(
    model.OrderChannel,
    description="Where an order was placed: ONLINE (placeOrder) or STORE (a store's POS sale).",
)


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class Product:
    id: strawberry.ID


@strawberry.type
class OrderLine:
    product: Product
    quantity: int
    unit_price: Money = strawberry.field(description="The price the product was sold at.")

    @classmethod
    def from_row(cls, row: LineRow) -> OrderLine:
        return cls(
            product=Product(id=strawberry.ID(format_id(row.product_id))),
            quantity=row.quantity,
            unit_price=money(row.unit_price_minor, row.currency),
        )

    @strawberry.field
    def line_total(self) -> Money:
        """Computed when asked for: most reads of a line do not ask."""
        price = self.unit_price
        return money(price.minor_units * self.quantity, price.currency)


@strawberry.federation.type(keys=["id"], description="A customer's order.", directives=ORDERS_READ)
class Order:
    id: strawberry.ID
    status: OrderStatus  # type: ignore[valid-type]
    channel: OrderChannel  # type: ignore[valid-type]
    total: Money
    created_at: datetime
    updated_at: datetime
    customer_id: strawberry.Private[int]
    loaded_lines: strawberry.Private[Sequence[LineRow] | None] = None

    @classmethod
    def from_row(cls, row: model.Order | Row[Any], lines: Sequence[LineRow] | None = None) -> Order:
        return cls(
            id=strawberry.ID(format_id(row.id)),
            status=row.status,
            channel=row.channel,
            total=money(row.total_minor, row.currency),
            created_at=row.created_at,
            updated_at=row.updated_at,
            customer_id=row.customer_id,
            loaded_lines=lines,
        )

    @strawberry.field(
        description="Who placed the order; null once the customer's personal data has been "
        "erased (GDPR/PIPL `eraseCustomer`): the order is kept for accounting, unlinked."
    )
    def customer(self) -> Customer | None:
        if self.customer_id == ERASED_CUSTOMER_ID:
            return None
        return Customer(id=strawberry.ID(format_id(self.customer_id)))

    # demand control (router.demand_control): an order's lines are few, not a page
    @strawberry.field(
        graphql_type=list[OrderLine],
        directives=[ListSize(assumed_size=10, slicing_arguments=UNSET, sized_fields=UNSET)],
    )
    def lines(self, info: Info[Any, Any]) -> list[OrderLine] | Awaitable[list[OrderLine]]:
        """At once when the page loaded them (``Customer.orders``), else batched."""
        if self.loaded_lines is not None:
            return [OrderLine.from_row(row) for row in self.loaded_lines]
        return self._load_lines(info)

    async def _load_lines(self, info: Info[Any, Any]) -> list[OrderLine]:
        rows = await context_of(info).loader(loaders.lines_by_order).load(int(self.id))
        return [OrderLine.from_row(row) for row in rows]

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Order | None:
        """Another customer's order is FORBIDDEN, checked on the batched row (no SQL of its
        own); so is a missing one for a caller who may not see every order (no oracle)."""
        order_id = parse_id(id)
        row = await context_of(info).loader(loaders.orders_by_id).load(order_id)
        ORDER_READS.check(None if row is None else row.customer_id, f"read order {order_id}")
        return None if row is None else cls.from_row(row)


def order_connection(
    rows: Sequence[model.Order | Row[Any]],
    page: Page,
    scope: str,
    sort: Sort,
    counter: Counter,
    lines: Mapping[int, Sequence[LineRow]] | None = None,
) -> Connection[Order]:
    """A page of orders; ``lines`` (by order id), when given, saves each its own load."""
    if lines is None:
        return build_connection(rows, page, scope, sort, Order.from_row, counter)
    return build_connection(
        rows, page, scope, sort, lambda row: Order.from_row(row, lines[row.id]), counter
    )


def _asks_for_lines(selections: Sequence[Selection]) -> bool:
    """Whether a field named ``lines`` is selected anywhere under ``selections``."""
    return any(
        (isinstance(selection, SelectedField) and selection.name == "lines")
        or _asks_for_lines(selection.selections)
        for selection in selections
    )


async def _lines_of_page(
    info: Info[Any, Any], rows: Sequence[model.Order | Row[Any]]
) -> Mapping[int, Sequence[LineRow]] | None:
    """The page's lines in one batched load when the query asks for them. ``None`` when it
    does not, or when the load fails: then ``Order.lines`` loads (and reports the error)
    as it does for orders reached any other way."""
    if not _asks_for_lines(info.selected_fields[0].selections):
        return None
    order_ids = [row.id for row in rows]
    try:
        lines = await context_of(info).loader(loaders.lines_by_order).load_many(order_ids)
    except Exception:
        return None
    return dict(zip(order_ids, lines, strict=True))


@strawberry.federation.type(keys=["id"])
class Customer:
    """Orders' part of the customer. ``orders`` is nullable on purpose: when the orders
    domain is down, the router nulls just this field, not the whole customer."""

    id: strawberry.ID

    @strawberry.field(
        description="The customer's orders, a page at a time; newest first unless `orderBy`.",
        directives=[*CONNECTION_DIRECTIVES, *ORDERS_READ],
    )
    async def orders(
        self,
        info: Info[Any, Any],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        order_by: OrderSort | None = None,
    ) -> Connection[Order] | None:
        customer_id = parse_id(self.id, "customer id")
        ORDER_READS.check(customer_id, f"read the orders of customer {customer_id}")
        scope = f"Customer:{customer_id}.orders"
        sort = order_sort(order_by)
        page = page_request(scope, sort, first=first, after=after, last=last, before=before)
        context = context_of(info)
        rows = await context.loader(loaders.orders_of_customers).load(
            ChildPage(customer_id, sort, page)
        )

        def count() -> Awaitable[int]:
            return context.loader(loaders.order_counts).load(customer_id)

        lines = await _lines_of_page(info, rows[: page.size])
        return order_connection(rows, page, scope, sort, count, lines)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Customer:
        return cls(id=id)


@strawberry.input
class OrderFilter:
    status: OrderStatus | None = None  # type: ignore[valid-type]
    customer_id: strawberry.ID | None = None


@strawberry.input
class OrderLineInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.input
class PlaceOrderInput:
    customer_id: strawberry.ID
    lines: list[OrderLineInput]
    idempotency_key: str = strawberry.field(
        description="Client-chosen key: the same key again returns the same order."
    )
