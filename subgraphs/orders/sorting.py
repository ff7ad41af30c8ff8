"""What a user can sort orders by (``orderBy``): date or total."""

from __future__ import annotations

import enum

import strawberry

from models import orders as model
from subgraphs.common.keyset import Sort
from subgraphs.common.pagination import SortDirection, requested_sort

__all__ = ["OrderSort", "OrderSortField", "order_sort"]

_TABLE = model.Order.__table__


@strawberry.enum(description="What orders sort by; ties go by id, in the same direction.")
class OrderSortField(enum.Enum):
    CREATED_AT = "CREATED_AT"
    TOTAL = strawberry.enum_value(
        "TOTAL", description="The total's amount (minor units; currencies are not converted)."
    )


@strawberry.input(description="An order of orders, e.g. `{field: TOTAL, direction: DESC}`.")
class OrderSort:
    field: OrderSortField
    direction: SortDirection = SortDirection.ASC


_COLUMNS = {
    OrderSortField.CREATED_AT: (_TABLE.c.created_at, _TABLE.c.id),
    OrderSortField.TOTAL: (_TABLE.c.total_minor, _TABLE.c.id),
}


def order_sort(order_by: OrderSort | None) -> Sort:
    """The sort ``orderBy`` names; newest first when it is not given."""
    return requested_sort(order_by, (OrderSortField.CREATED_AT, SortDirection.DESC), _COLUMNS)
