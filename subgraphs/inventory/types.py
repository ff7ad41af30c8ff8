"""GraphQL types of the inventory domain, including its contribution to Product."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info
from strawberry.utils.await_maybe import await_maybe

from models import inventory as model
from subgraphs.common.access_directives import INVENTORY_READ
from subgraphs.common.context import context_of
from subgraphs.common.ids import format_id, parse_id
from subgraphs.common.keyset import ChildPage, Sort
from subgraphs.common.money import Money, money
from subgraphs.common.pagination import (
    CONNECTION_DIRECTIVES,
    After,
    Before,
    Connection,
    First,
    Last,
    build_connection,
    page_request,
)
from subgraphs.inventory import loaders, shipping, validation
from subgraphs.inventory.loaders import StockLevelRow

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
_BY_PRODUCT = Sort("PRODUCT_ASC", (model.StockLevel.__table__.c.product_id,))
T = TypeVar("T")


@strawberry.type(description="Delivery cost and time for one unit of a product.")
class ShippingEstimate:
    cost: Money
    days: int = strawberry.field(description="Business days until delivery.")


@strawberry.type(
    description="A warehouse stock is kept and shipped from.", directives=INVENTORY_READ
)
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

    @strawberry.field(
        description="Stock levels in this warehouse by ascending product id.",
        directives=CONNECTION_DIRECTIVES,
    )
    async def stock(
        self,
        info: Info[Any, Any],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[StockLevel]:
        warehouse_id = int(self.id)
        scope = f"Warehouse:{warehouse_id}.stock"
        page = page_request(scope, _BY_PRODUCT, first=first, after=after, last=last, before=before)
        context = context_of(info)
        key = ChildPage(warehouse_id, _BY_PRODUCT, page)
        rows = await context.loader(loaders.stock_pages).load(key)

        def count() -> Awaitable[int]:
            return context.loader(loaders.stock_counts).load(warehouse_id)

        return build_connection(rows, page, scope, _BY_PRODUCT, StockLevel.from_row, count)


async def _warehouse(info: Info[Any, Any], warehouse_id: int) -> Warehouse:
    row = await context_of(info).loader(loaders.warehouses_by_id).load(warehouse_id)
    if row is None:  # impossible while the foreign key holds
        raise LookupError(f"warehouse {warehouse_id} vanished")
    return Warehouse.from_row(row)


@strawberry.type(description="Units of one product in one warehouse.", directives=INVENTORY_READ)
class StockLevel:
    product_id: strawberry.Private[int]
    warehouse_id: strawberry.Private[int]
    on_hand: int = strawberry.field(description="Units physically in the warehouse.")
    reserved: int = strawberry.field(description="Units held for orders not shipped yet.")

    @classmethod
    def from_row(cls, row: StockLevelRow) -> StockLevel:
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


@dataclass(frozen=True, slots=True)
class _Levels:
    """A product's stock levels as loaded for its entity reference, or why they are not:
    the error is raised again by each field that needs them, so a failed load still nulls
    only those fields, as when every field loaded them itself."""

    rows: Sequence[StockLevelRow] = ()
    error: Exception | None = None

    def get(self) -> Sequence[StockLevelRow]:
        if self.error is not None:
            raise self.error
        return self.rows


def _in_stock(levels: Sequence[StockLevelRow]) -> bool:
    return any(row.on_hand > row.reserved for row in levels)


def _available_quantity(levels: Sequence[StockLevelRow]) -> int:
    return sum(row.on_hand - row.reserved for row in levels)


def _stock(levels: Sequence[StockLevelRow]) -> list[StockLevel]:
    return [StockLevel.from_row(row) for row in levels]


@strawberry.federation.type(keys=["id"])
class Product:
    """Inventory's view of a product. Its fields are nullable on purpose: when inventory is
    down, the router answers null for them (with an error) instead of nulling the whole
    product, order or customer that contains it.

    An entity reference loads the product's stock levels once (batched), so its fields are
    plain synchronous reads; a product reached another way (``StockLevel.product``) loads
    them when a field first asks."""

    id: strawberry.ID
    required_price: strawberry.Private[object] = None
    required_weight: strawberry.Private[object] = None
    levels: strawberry.Private[_Levels | None] = None

    @classmethod
    async def resolve_reference(
        cls,
        info: Info[Any, Any],
        id: strawberry.ID,
        price: object = None,
        weightGrams: object = None,
    ) -> Product:
        """Any product id is a product for inventory (products owns existence): one without
        stock levels is simply out of stock."""
        product_id = parse_id(id)
        try:
            levels = _Levels(await _load_levels(info, product_id))
        except Exception as error:  # re-raised by the fields that need the levels
            levels = _Levels(error=error)
        return cls(
            id=strawberry.ID(format_id(product_id)),
            required_price=price,
            required_weight=weightGrams,
            levels=levels,
        )

    def _shipping_inputs(self) -> tuple[int, str, int]:
        return validation.shipping_inputs(self.required_price, self.required_weight)

    @strawberry.federation.field(external=True)
    def price(self) -> Money:
        minor, currency, _ = self._shipping_inputs()
        return money(minor, currency)

    @strawberry.federation.field(external=True)
    def weight_grams(self) -> int:
        return self._shipping_inputs()[2]

    def _from_levels(
        self, info: Info[Any, Any], derive: Callable[[Sequence[StockLevelRow]], T]
    ) -> T | Awaitable[T]:
        """``derive`` of the levels: at once when the reference loaded them, else later."""
        if self.levels is not None:
            return derive(self.levels.get())
        return self._derive_after_load(info, derive)

    async def _derive_after_load(
        self, info: Info[Any, Any], derive: Callable[[Sequence[StockLevelRow]], T]
    ) -> T:
        return derive(await _load_levels(info, parse_id(self.id)))

    @strawberry.field(
        description="Whether any warehouse has a unit available.", graphql_type=bool | None
    )
    def in_stock(self, info: Info[Any, Any]) -> bool | Awaitable[bool]:
        return self._from_levels(info, _in_stock)

    @strawberry.field(
        description="Units available (on hand minus reserved) in all warehouses.",
        graphql_type=int | None,
    )
    def available_quantity(self, info: Info[Any, Any]) -> int | Awaitable[int]:
        return self._from_levels(info, _available_quantity)

    @strawberry.field(
        description="Stock per warehouse.",
        graphql_type=list[StockLevel] | None,
        directives=INVENTORY_READ,
    )
    def stock(self, info: Info[Any, Any]) -> list[StockLevel] | Awaitable[list[StockLevel]]:
        return self._from_levels(info, _stock)

    @strawberry.federation.field(requires=["price { minorUnits currency } weightGrams"])
    async def shipping_estimate(self, info: Info[Any, Any]) -> ShippingEstimate | None:
        price_minor, currency, weight = self._shipping_inputs()
        in_stock = await await_maybe(self._from_levels(info, _in_stock))
        result = shipping.estimate(price_minor, currency, weight, in_stock)
        return ShippingEstimate(cost=money(result.cost_minor, result.currency), days=result.days)


async def _load_levels(info: Info[Any, Any], product_id: int) -> Sequence[StockLevelRow]:
    return await context_of(info).loader(loaders.stock_by_product).load(product_id)


@strawberry.type(
    description="Units of a product held for a reference (e.g. an order).",
    directives=INVENTORY_READ,
)
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
