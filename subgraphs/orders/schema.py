"""Queries, mutations and subscriptions (:mod:`subgraphs.orders.subscriptions`) of the
orders subgraph."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Select, select
from strawberry.types import Info

from models import orders as model
from subgraphs.common.access import ORDER_CHANGES, ORDER_READS
from subgraphs.common.access_directives import ORDERS_READ, ORDERS_STATUS_WRITE, ORDERS_WRITE
from subgraphs.common.context import context_of
from subgraphs.common.erasure import erase_field, export_field
from subgraphs.common.ids import parse_id
from subgraphs.common.pagination import (
    CONNECTION_DIRECTIVES,
    After,
    Before,
    Connection,
    First,
    Last,
    list_connection,
    page_request,
)
from subgraphs.common.schema import build_schema
from subgraphs.orders import personal_data, validation
from subgraphs.orders.lifecycle import change_status
from subgraphs.orders.placement import place_order
from subgraphs.orders.sorting import OrderSort, order_sort
from subgraphs.orders.subscriptions import Subscription
from subgraphs.orders.types import (
    Customer,
    Order,
    OrderFilter,
    OrderStatus,
    PlaceOrderInput,
    Product,
)

__all__ = ["Mutation", "Query", "Subscription", "schema"]


def _filtered(statement: Select[Any], where: OrderFilter | None) -> Select[Any]:
    if where is None:
        return statement
    if where.status is not None:
        statement = statement.where(model.Order.status == where.status)
    if where.customer_id is not None:
        statement = statement.where(
            model.Order.customer_id == parse_id(where.customer_id, "customerId")
        )
    return statement


@strawberry.type
class Query:
    @strawberry.field(
        description="One order by id, or null when there is none.", directives=ORDERS_READ
    )
    async def order(self, info: Info[Any, Any], id: strawberry.ID) -> Order | None:
        return await Order.resolve_reference(info, id)

    @strawberry.field(
        description="Orders, a page at a time; newest first unless `orderBy`.",
        directives=[*CONNECTION_DIRECTIVES, *ORDERS_READ],
    )
    async def orders(
        self,
        info: Info[Any, Any],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: OrderFilter | None = None,
        order_by: OrderSort | None = None,
    ) -> Connection[Order]:
        sort = order_sort(order_by)
        page = page_request("orders", sort, first=first, after=after, last=last, before=before)
        statement = ORDER_READS.restrict(
            _filtered(select(model.Order), filter), model.Order.customer_id
        )
        database = context_of(info).database
        return await list_connection(database, statement, "orders", sort, page, Order.from_row)

    export_orders_customer_data = export_field("orders", personal_data.export_customer_data)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Place an order: prices come from products, stock is reserved in inventory.",
        directives=ORDERS_WRITE,
    )
    async def place_order(self, info: Info[Any, Any], input: PlaceOrderInput) -> Order:
        context = context_of(info)
        request = validation.clean_order(input)
        customer_id = request.customer_id
        ORDER_CHANGES.check(customer_id, f"place an order for customer {customer_id}")
        row = await place_order(context.database, context.peers, request)
        return Order.from_row(row)

    @strawberry.mutation(
        description="Move an order along its lifecycle.", directives=ORDERS_STATUS_WRITE
    )
    async def update_order_status(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        status: OrderStatus,  # type: ignore[valid-type]
    ) -> Order:
        order_id = parse_id(id)
        ORDER_CHANGES.check_all(f"change the status of order {order_id}")
        context = context_of(info)
        row = await change_status(context.database, context.peers, order_id, status)
        return Order.from_row(row)

    @strawberry.mutation(
        description="Cancel a PENDING or PAID order and release its stock.",
        directives=ORDERS_WRITE,
    )
    async def cancel_order(self, info: Info[Any, Any], id: strawberry.ID) -> Order:
        order_id = parse_id(id)
        context = context_of(info)
        row = await change_status(
            context.database,
            context.peers,
            order_id,
            model.OrderStatus.CANCELLED,
            authorize=lambda owner: ORDER_CHANGES.check(owner, f"cancel order {order_id}"),
        )
        return Order.from_row(row)

    erase_orders_customer_data = erase_field("orders", personal_data.erase_customer_data)


schema = build_schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Order, Customer, Product],
)
