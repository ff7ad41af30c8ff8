"""The marketing domain's events, staged in its outbox (``MarketingEvent``) in the
transaction of the change they describe: ``CouponRedeemed`` (about the coupon) and
``CampaignStatusChanged`` (about the campaign)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import CAMPAIGN_STATUS_CHANGED, COUPON_REDEEMED, event_of
from events.outbox import stage
from models.base import utcnow
from models.marketing import CampaignStatus, Coupon, MarketingEvent

__all__ = ["stage_campaign_status_changed", "stage_coupon_redeemed"]


def stage_coupon_redeemed(session: AsyncSession, coupon: Coupon) -> None:
    data = {
        "couponId": str(coupon.id),
        "code": coupon.code,
        "campaignId": str(coupon.campaign_id),
        "redemptions": coupon.redemptions,
        "maxRedemptions": coupon.max_redemptions,
        "redeemedAt": utcnow().isoformat(),
    }
    stage(session, MarketingEvent, event_of(COUPON_REDEEMED, str(coupon.id), data))


def stage_campaign_status_changed(
    session: AsyncSession, campaign_id: int, previous: CampaignStatus, target: CampaignStatus
) -> None:
    if previous is target:
        return
    data = {
        "campaignId": str(campaign_id),
        "from": previous.value,
        "to": target.value,
        "changedAt": utcnow().isoformat(),
    }
    stage(session, MarketingEvent, event_of(CAMPAIGN_STATUS_CHANGED, str(campaign_id), data))
