"""What a user can sort customers by (``orderBy``)."""

from __future__ import annotations

import enum

import strawberry

from models import customers as model
from subgraphs.common.keyset import Sort
from subgraphs.common.pagination import SortDirection, requested_sort

__all__ = ["CustomerSort", "CustomerSortField", "customer_sort"]

_TABLE = model.Customer.__table__


@strawberry.enum(description="What customers sort by; ties go by id, in the same direction.")
class CustomerSortField(enum.Enum):
    ID = "ID"
    # personal data: sorting by it needs pii:read (subgraphs.common.pii)
    NAME = strawberry.federation.enum_value("NAME", tags=["pii"])
    CREATED_AT = "CREATED_AT"


@strawberry.input(description="An order of customers, e.g. `{field: NAME, direction: ASC}`.")
class CustomerSort:
    field: CustomerSortField
    direction: SortDirection = SortDirection.ASC


_COLUMNS = {
    CustomerSortField.ID: (_TABLE.c.id,),
    CustomerSortField.NAME: (_TABLE.c.name, _TABLE.c.id),
    CustomerSortField.CREATED_AT: (_TABLE.c.created_at, _TABLE.c.id),
}


def customer_sort(order_by: CustomerSort | None) -> Sort:
    """The sort ``orderBy`` names; by ascending id when it is not given."""
    return requested_sort(order_by, (CustomerSortField.ID, SortDirection.ASC), _COLUMNS)
