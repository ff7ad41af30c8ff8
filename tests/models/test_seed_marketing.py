"""Seeded campaigns are dated from the seeding day, so the demo's coupons work any day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.base import utcnow
from models.seed.marketing import campaign_rows, coupon_rows, seeding_day
from tests.conftest import GraphQL

REDEEM = "mutation($code: String!) { redeemCoupon(code: $code) { code redemptions } }"


@pytest.mark.parametrize(
    "seeded_at",
    [datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 11, 28, 23, 59, tzinfo=UTC), utcnow()],
)
def test_statuses_match_the_dates_whenever_seeded(seeded_at: datetime) -> None:
    for row in campaign_rows(seeded_at):
        if row["status"] == "ENDED":
            assert row["ends_at"] < seeded_at
        elif row["status"] == "ACTIVE":  # and still running most of a year later
            assert row["starts_at"] <= seeded_at < row["ends_at"] - timedelta(days=300)
        else:
            assert row["starts_at"] > seeded_at


def test_the_same_day_gives_the_same_rows_and_days_shift_them() -> None:
    morning = datetime(2030, 6, 1, 0, 0, 1, tzinfo=UTC)
    evening = datetime(2030, 6, 1, 23, 59, tzinfo=UTC)
    assert campaign_rows(morning) == campaign_rows(evening)
    later = campaign_rows(morning + timedelta(days=400))
    for early, late in zip(campaign_rows(morning), later, strict=True):
        assert late["starts_at"] - early["starts_at"] == timedelta(days=400)
        assert late["ends_at"] - early["ends_at"] == timedelta(days=400)
    assert seeding_day(evening) == datetime(2030, 6, 1, tzinfo=UTC)


async def test_every_active_campaigns_coupon_redeems_in_the_seeded_database(
    graphql: GraphQL,
) -> None:
    active = {row["id"] for row in campaign_rows() if row["status"] == "ACTIVE"}
    codes = [row["code"] for row in coupon_rows() if row["campaign_id"] in active]
    assert "C05-SAVE05" in codes  # the README's example
    for code in codes:
        body = await graphql("marketing", REDEEM, code=code)
        assert "errors" not in body, body
        assert body["data"]["redeemCoupon"]["code"] == code
