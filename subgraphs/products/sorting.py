"""What a user can sort products by (``orderBy``): name, price, creation."""

from __future__ import annotations

import enum

import strawberry

from models import products as model
from subgraphs.common.keyset import Sort
from subgraphs.common.pagination import SortDirection, requested_sort

__all__ = ["ProductSort", "ProductSortField", "product_sort"]

_TABLE = model.Product.__table__


@strawberry.enum(description="What products sort by; ties go by id, in the same direction.")
class ProductSortField(enum.Enum):
    ID = "ID"
    NAME = "NAME"
    PRICE = strawberry.enum_value(
        "PRICE", description="The price's amount (minor units; currencies are not converted)."
    )
    CREATED_AT = "CREATED_AT"


@strawberry.input(description="An order of products, e.g. `{field: PRICE, direction: DESC}`.")
class ProductSort:
    field: ProductSortField
    direction: SortDirection = SortDirection.ASC


_COLUMNS = {
    ProductSortField.ID: (_TABLE.c.id,),
    ProductSortField.NAME: (_TABLE.c.name, _TABLE.c.id),
    ProductSortField.PRICE: (_TABLE.c.price_minor, _TABLE.c.id),
    ProductSortField.CREATED_AT: (_TABLE.c.created_at, _TABLE.c.id),
}


def product_sort(order_by: ProductSort | None) -> Sort:
    """The sort ``orderBy`` names; by ascending id when it is not given."""
    return requested_sort(order_by, (ProductSortField.ID, SortDirection.ASC), _COLUMNS)
