"""GraphQL types of the products domain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.types import Info

from models import products as model
from subgraphs.common.context import context_of
from subgraphs.common.errors import BadUserInput
from subgraphs.common.ids import format_id, parse_id
from subgraphs.common.money import Money, money
from subgraphs.products import loaders

__all__ = [
    "CreateProductInput",
    "PriceInput",
    "Product",
    "ProductFilter",
    "ProductStatus",
]

ProductStatus = strawberry.enum(
    model.ProductStatus, description="Only LISTED products can be ordered."
)


@strawberry.federation.type(keys=["id", "sku"], description="A product of the catalogue.")
class Product:
    id: strawberry.ID
    sku: str = strawberry.field(description="Stock keeping unit, unique, e.g. SKU-000042")
    name: str
    description: str
    category: str
    price: Money
    weight_grams: int
    status: ProductStatus  # type: ignore[valid-type]
    listed_at: datetime | None = strawberry.field(description="When it was last listed.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: model.Product | Row[Any]) -> Product:
        return cls(
            id=strawberry.ID(format_id(row.id)),
            sku=row.sku,
            name=row.name,
            description=row.description,
            category=row.category,
            price=money(row.price_minor, row.currency),
            weight_grams=row.weight_grams,
            status=row.status,
            listed_at=row.listed_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[Any, Any], id: strawberry.ID | None = None, sku: str | None = None
    ) -> Product | None:
        context = context_of(info)
        if id is not None:
            row = await context.loader(loaders.products_by_id).load(parse_id(id))
        elif sku is not None:
            row = await context.loader(loaders.products_by_sku).load(str(sku).strip().upper())
        else:
            raise BadUserInput("A Product representation needs `id` or `sku`")
        return None if row is None else cls.from_row(row)


@strawberry.input(description="An exact price: a decimal amount in an ISO 4217 currency.")
class PriceInput:
    amount: Decimal = strawberry.field(description="e.g. 899.00; at most the currency's decimals")
    currency: str = "CNY"


@strawberry.input
class ProductFilter:
    category: str | None = None
    status: ProductStatus | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive match on name or sku."
    )


@strawberry.input(description="A new product; it starts as DRAFT until listed.")
class CreateProductInput:
    sku: str
    name: str
    category: str
    price: PriceInput
    description: str = ""
    weight_grams: int = 0
