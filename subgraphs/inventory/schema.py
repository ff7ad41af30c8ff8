"""Queries and mutations of the inventory subgraph."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from models import inventory as model
from subgraphs.common.access_directives import INVENTORY_READ, INVENTORY_WRITE
from subgraphs.common.context import context_of
from subgraphs.common.erasure import erase_field, export_field
from subgraphs.common.errors import NotFound
from subgraphs.common.ids import parse_id
from subgraphs.common.schema import build_schema
from subgraphs.inventory import personal_data, products, reservations, stock, validation
from subgraphs.inventory.types import (
    Product,
    Reservation,
    ReservationLineInput,
    StockLevel,
    Warehouse,
)

__all__ = ["Mutation", "Query", "schema"]


@strawberry.type
class Query:
    @strawberry.field(description="Every warehouse, by code.", directives=INVENTORY_READ)
    async def warehouses(self, info: Info[Any, Any]) -> list[Warehouse]:
        async with context_of(info).database.sessions() as session:
            rows = await session.scalars(select(model.Warehouse).order_by(model.Warehouse.code))
            return [Warehouse.from_row(row) for row in rows]

    @strawberry.field(
        description="One warehouse by code, or null when there is none.", directives=INVENTORY_READ
    )
    async def warehouse(self, info: Info[Any, Any], code: str) -> Warehouse | None:
        code = validation.clean_warehouse_code(code)
        row = await stock.warehouse_by_code(context_of(info).database, code)
        return None if row is None else Warehouse.from_row(row)

    @strawberry.field(
        description="Every reservation made for a reference, oldest first.",
        directives=INVENTORY_READ,
    )
    async def reservations(self, info: Info[Any, Any], reference: str) -> list[Reservation]:
        reference = validation.clean_reference(reference)
        async with context_of(info).database.sessions() as session:
            rows = await session.scalars(
                select(model.Reservation)
                .where(model.Reservation.reference == reference)
                .order_by(model.Reservation.id)
            )
            return [Reservation.from_row(row) for row in rows]

    export_inventory_customer_data = export_field("inventory", personal_data.export_customer_data)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Add (delta > 0) or remove (delta < 0) units; never below what is reserved.",
        directives=INVENTORY_WRITE,
    )
    async def adjust_stock(
        self, info: Info[Any, Any], product_id: strawberry.ID, warehouse_code: str, delta: int
    ) -> StockLevel:
        context = context_of(info)
        key = parse_id(product_id, "productId")
        code = validation.clean_warehouse_code(warehouse_code)
        delta = validation.clean_delta(delta)
        if not await products.product_exists(context.database, context.peers, key):
            raise NotFound(f"No product with id {key}", productId=str(key))
        row = await stock.adjust(context.database, key, code, delta)
        return StockLevel.from_row(row)

    @strawberry.mutation(
        description="Reserve every line or none (CONFLICT with extensions.productId when short). "
        "Idempotent per reference: the same reference returns its existing reservations.",
        directives=INVENTORY_WRITE,
    )
    async def reserve_stock(
        self, info: Info[Any, Any], reference: str, lines: list[ReservationLineInput]
    ) -> list[Reservation]:
        rows = await reservations.reserve(
            context_of(info).database,
            validation.clean_reference(reference),
            validation.clean_lines(lines),
        )
        return [Reservation.from_row(row) for row in rows]

    @strawberry.mutation(
        description="Give back a reference's active reservations; the count.",
        directives=INVENTORY_WRITE,
    )
    async def release_reservation(self, info: Info[Any, Any], reference: str) -> int:
        return await reservations.release(
            context_of(info).database, validation.clean_reference(reference)
        )

    @strawberry.mutation(
        description="Ship a reference's active reservations: on hand and reserved both drop.",
        directives=INVENTORY_WRITE,
    )
    async def fulfill_reservation(self, info: Info[Any, Any], reference: str) -> int:
        return await reservations.fulfill(
            context_of(info).database, validation.clean_reference(reference)
        )

    erase_inventory_customer_data = erase_field("inventory", personal_data.erase_customer_data)


schema = build_schema(query=Query, mutation=Mutation, types=[Product])
