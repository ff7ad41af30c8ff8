"""What a user can sort campaigns by (``orderBy``), and the fixed order of coupons."""

from __future__ import annotations

import enum

import strawberry

from models import marketing as model
from subgraphs.common.keyset import Sort
from subgraphs.common.pagination import SortDirection, requested_sort

__all__ = ["COUPONS_BY_ID", "CampaignSort", "CampaignSortField", "campaign_sort"]

_CAMPAIGNS = model.Campaign.__table__

COUPONS_BY_ID = Sort("ID_ASC", (model.Coupon.__table__.c.id,))


@strawberry.enum(description="What campaigns sort by; ties go by id, in the same direction.")
class CampaignSortField(enum.Enum):
    ID = "ID"
    STARTS_AT = "STARTS_AT"
    ENDS_AT = "ENDS_AT"


@strawberry.input(description="An order of campaigns, e.g. `{field: STARTS_AT, direction: DESC}`.")
class CampaignSort:
    field: CampaignSortField
    direction: SortDirection = SortDirection.ASC


_COLUMNS = {
    CampaignSortField.ID: (_CAMPAIGNS.c.id,),
    CampaignSortField.STARTS_AT: (_CAMPAIGNS.c.starts_at, _CAMPAIGNS.c.id),
    CampaignSortField.ENDS_AT: (_CAMPAIGNS.c.ends_at, _CAMPAIGNS.c.id),
}


def campaign_sort(order_by: CampaignSort | None) -> Sort:
    """The sort ``orderBy`` names; by ascending id when it is not given."""
    return requested_sort(order_by, (CampaignSortField.ID, SortDirection.ASC), _COLUMNS)
