"""Queries and mutations of the orders subgraph."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Select, select
from strawberry.types import Info

from models import orders as model
from subgraphs.common.context import context_of
from subgraphs.common.ids import parse_id
from subgraphs.common.pagination import (
    DEFAULT_PAGE_SIZE,
    Connection,
    check_page_size,
    decode_cursor,
)
from subgraphs.common.schema import build_schema
from subgraphs.orders import loaders, validation
from subgraphs.orders.lifecycle import change_status
from subgraphs.orders.placement import place_order
from subgraphs.orders.types import (
    Customer,
    Order,
    OrderFilter,
    OrderStatus,
    PlaceOrderInput,
    Product,
    order_connection,
)

__all__ = ["Mutation", "Query", "schema"]


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
    @strawberry.field(description="One order by id, or null when there is none.")
    async def order(self, info: Info[Any, Any], id: strawberry.ID) -> Order | None:
        row = await context_of(info).loader(loaders.orders_by_id).load(parse_id(id))
        return None if row is None else Order.from_row(row)

    @strawberry.field(description="Orders, newest first, a page at a time.")
    async def orders(
        self,
        info: Info[Any, Any],
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: OrderFilter | None = None,
    ) -> Connection[Order]:
        check_page_size(first)
        statement = _filtered(select(model.Order), filter)
        before_id = decode_cursor(after)
        if before_id is not None:
            statement = statement.where(model.Order.id < before_id)
        async with context_of(info).database.sessions() as session:
            rows: list[model.Order] = list(
                await session.scalars(statement.order_by(model.Order.id.desc()).limit(first + 1))
            )
        return order_connection(rows, first)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Place an order: prices come from products, stock is reserved in inventory."
    )
    async def place_order(self, info: Info[Any, Any], input: PlaceOrderInput) -> Order:
        context = context_of(info)
        request = validation.clean_order(input)
        row = await place_order(context.database, context.peers, request)
        return Order.from_row(row)

    @strawberry.mutation(description="Move an order along its lifecycle.")
    async def update_order_status(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        status: OrderStatus,  # type: ignore[valid-type]
    ) -> Order:
        context = context_of(info)
        row = await change_status(context.database, context.peers, parse_id(id), status)
        return Order.from_row(row)

    @strawberry.mutation(description="Cancel a PENDING or PAID order and release its stock.")
    async def cancel_order(self, info: Info[Any, Any], id: strawberry.ID) -> Order:
        context = context_of(info)
        row = await change_status(
            context.database, context.peers, parse_id(id), model.OrderStatus.CANCELLED
        )
        return Order.from_row(row)


schema = build_schema(query=Query, mutation=Mutation, types=[Order, Customer, Product])
