"""Queries and mutations of the products subgraph."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import strawberry
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from models import products as model
from models.base import utcnow
from subgraphs.common.access_directives import CATALOG_WRITE
from subgraphs.common.context import context_of
from subgraphs.common.errors import Conflict, NotFound
from subgraphs.common.ids import parse_id
from subgraphs.common.like import ESCAPE
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
from subgraphs.products import loaders, outbox, validation
from subgraphs.products.sorting import ProductSort, product_sort
from subgraphs.products.types import (
    CreateProductInput,
    PriceInput,
    Product,
    ProductFilter,
)

__all__ = ["Mutation", "Query", "schema"]

Status = model.ProductStatus


def _filtered(statement: Select[Any], where: ProductFilter | None) -> Select[Any]:
    if where is None:
        return statement
    if where.category is not None:
        statement = statement.where(
            model.Product.category == validation.clean_category(where.category)
        )
    if where.status is not None:
        statement = statement.where(model.Product.status == where.status)
    if where.search and where.search.strip():
        pattern = validation.clean_search(where.search)
        statement = statement.where(
            or_(
                func.lower(model.Product.name).like(pattern, escape=ESCAPE),
                func.lower(model.Product.sku).like(pattern, escape=ESCAPE),
            )
        )
    return statement


@strawberry.type
class Query:
    @strawberry.field(description="One product by id, or null when there is none.")
    async def product(self, info: Info[Any, Any], id: strawberry.ID) -> Product | None:
        row = await context_of(info).loader(loaders.products_by_id).load(parse_id(id))
        return None if row is None else Product.from_row(row)

    @strawberry.field(description="One product by SKU, or null when there is none.")
    async def product_by_sku(self, info: Info[Any, Any], sku: str) -> Product | None:
        key = validation.clean_sku(sku)
        row = await context_of(info).loader(loaders.products_by_sku).load(key)
        return None if row is None else Product.from_row(row)

    @strawberry.field(
        description="Products, a page at a time; by ascending id unless `orderBy`.",
        directives=CONNECTION_DIRECTIVES,
    )
    async def products(
        self,
        info: Info[Any, Any],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ProductFilter | None = None,
        order_by: ProductSort | None = None,
    ) -> Connection[Product]:
        sort = product_sort(order_by)
        page = page_request("products", sort, first=first, after=after, last=last, before=before)
        statement = _filtered(select(model.Product), filter)
        database = context_of(info).database
        return await list_connection(database, statement, "products", sort, page, Product.from_row)


async def _sku_taken(session: AsyncSession, sku: str) -> Conflict | None:
    if await session.scalar(select(model.Product.id).where(model.Product.sku == sku)) is None:
        return None
    return Conflict(f"SKU {sku!r} is already used by another product", field="sku", sku=sku)


async def _transition(
    info: Info[Any, Any], id: strawberry.ID, allowed: Collection[Status], target: Status
) -> Product:
    """Move a product to ``target`` if its status is one of ``allowed``: a single conditional
    UPDATE from the status just read, so two concurrent requests cannot both succeed and the
    event names the status the product really left."""
    product_id = parse_id(id)
    now = utcnow()
    values: dict[str, Any] = {"status": target}
    if target is Status.LISTED:
        values["listed_at"] = now
    async with context_of(info).database.sessions() as session:
        previous = await session.scalar(
            select(model.Product.status).where(model.Product.id == product_id)
        )
        leaving = [status for status in allowed if status is previous]
        result = await session.execute(
            update(model.Product)
            .where(model.Product.id == product_id, model.Product.status.in_(leaving))
            .values(**values)
            .returning(model.Product.id)
        )
        changed = result.scalar_one_or_none() is not None
        if changed and previous is not None:
            outbox.stage_status_changed(session, product_id, previous, target, now)
        await session.commit()
        row = await session.get(model.Product, product_id, populate_existing=True)
    if row is None:
        raise NotFound(f"No product with id {id}", id=str(id))
    if not changed:
        raise Conflict(
            f"Product {id} is {row.status.value}; cannot change it to {target.value}",
            id=str(id),
            status=row.status.value,
        )
    return Product.from_row(row)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create a DRAFT product; the SKU must be valid and unused.",
        directives=CATALOG_WRITE,
    )
    async def create_product(self, info: Info[Any, Any], input: CreateProductInput) -> Product:
        currency = validation.clean_currency(input.price.currency)
        row = model.Product(
            sku=validation.clean_sku(input.sku),
            name=validation.clean_name(input.name),
            description=validation.clean_description(input.description),
            category=validation.clean_category(input.category),
            price_minor=validation.price_in_minor_units(input.price.amount, currency),
            currency=currency,
            weight_grams=validation.clean_weight(input.weight_grams),
            status=Status.DRAFT,
            created_at=utcnow(),
        )
        async with context_of(info).database.sessions() as session:
            taken = await _sku_taken(session, row.sku)
            if taken is not None:
                raise taken
            session.add(row)
            try:
                await session.flush()
                outbox.stage_created(session, row)
                await session.commit()
            except IntegrityError as error:  # lost a race on the unique SKU
                await session.rollback()
                raise Conflict(f"SKU {row.sku!r} is already used", field="sku") from error
        return Product.from_row(row)

    @strawberry.mutation(
        description="Change a product's price (amount and currency).", directives=CATALOG_WRITE
    )
    async def update_price(
        self, info: Info[Any, Any], id: strawberry.ID, price: PriceInput
    ) -> Product:
        product_id = parse_id(id)
        currency = validation.clean_currency(price.currency)
        minor = validation.price_in_minor_units(price.amount, currency)
        async with context_of(info).database.sessions() as session:
            row = await session.get(model.Product, product_id)
            if row is None:
                raise NotFound(f"No product with id {id}", id=str(id))
            previous = row.price_minor, row.currency
            row.price_minor, row.currency = minor, currency
            outbox.stage_price_changed(session, row, *previous)
            await session.commit()
        return Product.from_row(row)

    @strawberry.mutation(
        description="Put a DRAFT or DELISTED product on sale (sets listedAt).",
        directives=CATALOG_WRITE,
    )
    async def list_product(self, info: Info[Any, Any], id: strawberry.ID) -> Product:
        return await _transition(info, id, (Status.DRAFT, Status.DELISTED), Status.LISTED)

    @strawberry.mutation(description="Take a LISTED product off sale.", directives=CATALOG_WRITE)
    async def delist_product(self, info: Info[Any, Any], id: strawberry.ID) -> Product:
        return await _transition(info, id, (Status.LISTED,), Status.DELISTED)


schema = build_schema(query=Query, mutation=Mutation, types=[Product])
