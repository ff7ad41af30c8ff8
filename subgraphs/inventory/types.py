"""GraphQL types of the inventory domain, including its contribution to Product."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models import inventory as model
from subgraphs.common.context import context_of
from subgraphs.common.ids import format_id, parse_id
from subgraphs.common.money import Money, money
from subgraphs.common.pagination import (
    DEFAULT_PAGE_SIZE,
    Connection,
    build_connection,
    check_page_size,
    decode_cursor,
)
from subgraphs.inventory import loaders, shipping, validation

__all__ = [
    "Product",
    "Reservation",
    "ReservationLineInput",
    "ReservationStatus",
    "ShippingEstimate",
    "StockLevel",
    "Warehouse",
]

ReservationStatus = strawberry.enum(model.ReservationStatus)


@strawberry.type(description="Delivery cost and time for one unit of a product.")
class ShippingEstimate:
    cost: Money
    days: int = strawberry.field(description="Business days until delivery.")


@strawberry.federation.type(keys=["id"])
class Product:
    """Inventory's view of a product. Its fields are nullable on purpose: when inventory is
    down, the router answers null for them (with an error) instead of nulling the whole
    product, order or customer that contains it."""

    id: strawberry.ID
    required_price: strawberry.Private[object] = None
    required_weight: strawberry.Private[object] = None

    @classmethod
    def resolve_reference(
        cls,
        id: strawberry.ID,
        price: object = None,
        weightGrams: object = None,
    ) -> Product:
        """Any product id is a product for inventory (products owns existence): one without
        stock levels is simply out of stock."""
        product_id = strawberry.ID(format_id(parse_id(id)))
        return cls(id=product_id, required_price=price, required_weight=weightGrams)

    def _shipping_inputs(self) -> tuple[int, str, int]:
        return validation.shipping_inputs(self.required_price, self.required_weight)

    @strawberry.federation.field(external=True)
    def price(self) -> Money:
        minor, currency, _ = self._shipping_inputs()
        return money(minor, currency)

    @strawberry.federation.field(external=True)
    def weight_grams(self) -> int:
        return self._shipping_inputs()[2]

    async def _levels(self, info: Info[Any, Any]) -> list[model.StockLevel]:
        return await context_of(info).loader(loaders.stock_by_product).load(parse_id(self.id))

    @strawberry.field(description="Whether any warehouse has a unit available.")
    async def in_stock(self, info: Info[Any, Any]) -> bool | None:
        return any(row.on_hand > row.reserved for row in await self._levels(info))

    @strawberry.field(description="Units available (on hand minus reserved) in all warehouses.")
    async def available_quantity(self, info: Info[Any, Any]) -> int | None:
        return sum(row.on_hand - row.reserved for row in await self._levels(info))

    @strawberry.field(description="Stock per warehouse.")
    async def stock(self, info: Info[Any, Any]) -> list[StockLevel] | None:
        return [StockLevel.from_row(row) for row in await self._levels(info)]

    @strawberry.federation.field(requires=["price { minorUnits currency } weightGrams"])
    async def shipping_estimate(self, info: Info[Any, Any]) -> ShippingEstimate | None:
        price_minor, currency, weight = self._shipping_inputs()
        in_stock = any(row.on_hand > row.reserved for row in await self._levels(info))
        result = shipping.estimate(price_minor, currency, weight, in_stock)
        return ShippingEstimate(cost=money(result.cost_minor, result.currency), days=result.days)


@strawberry.type(description="A warehouse stock is kept and shipped from.")
class Warehouse:
    id: strawberry.ID
    code: str
    name: str
    region: str

    @classmethod
    def from_row(cls, row: model.Warehouse) -> Warehouse:
        return cls(
            id=strawberry.ID(format_id(row.id)), code=row.code, name=row.name, region=row.region
        )

    @strawberry.field(description="Stock levels in this warehouse by ascending product id.")
    async def stock(
        self, info: Info[Any, Any], first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[StockLevel]:
        key = (int(self.id), decode_cursor(after), check_page_size(first) + 1)
        rows = await context_of(info).loader(loaders.stock_pages).load(key)
        return build_connection(
            rows, first, key=lambda row: row.product_id, node=StockLevel.from_row
        )


async def _warehouse(info: Info[Any, Any], warehouse_id: int) -> Warehouse:
    row = await context_of(info).loader(loaders.warehouses_by_id).load(warehouse_id)
    if row is None:  # impossible while the foreign key holds
        raise LookupError(f"warehouse {warehouse_id} vanished")
    return Warehouse.from_row(row)


@strawberry.type(description="Units of one product in one warehouse.")
class StockLevel:
    product_id: strawberry.Private[int]
    warehouse_id: strawberry.Private[int]
    on_hand: int = strawberry.field(description="Units physically in the warehouse.")
    reserved: int = strawberry.field(description="Units held for orders not shipped yet.")

    @classmethod
    def from_row(cls, row: model.StockLevel) -> StockLevel:
        return cls(
            product_id=row.product_id,
            warehouse_id=row.warehouse_id,
            on_hand=row.on_hand,
            reserved=row.reserved,
        )

    @strawberry.field(description="Units that can still be reserved.")
    def available(self) -> int:
        return self.on_hand - self.reserved

    @strawberry.field
    def product(self) -> Product:
        return Product(id=strawberry.ID(format_id(self.product_id)))

    @strawberry.field
    async def warehouse(self, info: Info[Any, Any]) -> Warehouse:
        return await _warehouse(info, self.warehouse_id)


@strawberry.type(description="Units of a product held for a reference (e.g. an order).")
class Reservation:
    id: strawberry.ID
    reference: str
    product_id: strawberry.Private[int]
    warehouse_id: strawberry.Private[int]
    quantity: int
    status: ReservationStatus  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_row(cls, row: model.Reservation) -> Reservation:
        return cls(
            id=strawberry.ID(format_id(row.id)),
            reference=row.reference,
            product_id=row.product_id,
            warehouse_id=row.warehouse_id,
            quantity=row.quantity,
            status=row.status,
            created_at=row.created_at,
        )

    @strawberry.field
    def product(self) -> Product:
        return Product(id=strawberry.ID(format_id(self.product_id)))

    @strawberry.field
    async def warehouse(self, info: Info[Any, Any]) -> Warehouse:
        return await _warehouse(info, self.warehouse_id)


@strawberry.input
class ReservationLineInput:
    product_id: strawberry.ID
    quantity: int
