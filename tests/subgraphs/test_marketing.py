"""The marketing subgraph over HTTP: campaigns and coupons, recommendations and related
products (checked against a reference computed from the generated orders), the
statement-count guard, recordOrderPlaced, and the error cases."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models.base import utcnow
from models.database import Database
from models.marketing import Campaign, Coupon, ProductAffinity, PurchaseFact, RecordedOrder
from models.seed import generate
from models.seed.marketing import RELATED_PER_PRODUCT, campaign_rows, coupon_rows
from tests.conftest import TEST_SCALE, GraphQL, StatementCounter

_unique = itertools.count(1)


def _reference() -> tuple[dict[int, set[int]], dict[int, list[tuple[int, int]]]]:
    """Baskets per customer and the top related (product, score) per product, computed
    independently of the seeder from the generated orders."""
    baskets: dict[int, set[int]] = defaultdict(set)
    for order in generate.orders(TEST_SCALE):
        if order.status != "CANCELLED":
            baskets[order.customer_id].update(line.product_id for line in order.lines)
    pairs: Counter[tuple[int, int]] = Counter()
    for basket in baskets.values():
        pairs.update(itertools.permutations(basket, 2))
    related: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (first, second), score in pairs.items():
        related[first].append((second, score))
    top = {
        product: sorted(candidates, key=lambda c: (-c[1], c[0]))[:RELATED_PER_PRODUCT]
        for product, candidates in related.items()
    }
    return baskets, top


BASKETS, RELATED = _reference()


def _recommended(customer_id: int, first: int) -> list[int]:
    owned = BASKETS.get(customer_id, set())
    scores: Counter[int] = Counter()
    for product in owned:
        for related, score in RELATED.get(product, []):
            if related not in owned:
                scores[related] += score
    return [p for p, _ in sorted(scores.items(), key=lambda c: (-c[1], c[0]))[:first]]


def _entities(typename: str, ids: Any) -> list[dict[str, str]]:
    return [{"__typename": typename, "id": str(id_)} for id_ in ids]


async def _count(database: Database, model: type[Any]) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


RECOMMENDATIONS = """query($r: [_Any!]!, $first: Int!) { _entities(representations: $r) {
  ... on Customer { id recommendations(first: $first) { id } } } }"""

RELATED_PRODUCTS = """query($r: [_Any!]!, $first: Int!) { _entities(representations: $r) {
  ... on Product { id relatedProducts(first: $first) { id } } } }"""


async def test_recommendations_match_the_reference(graphql: GraphQL) -> None:
    customers = list(range(1, 21))
    body = await graphql("marketing", RECOMMENDATIONS, r=_entities("Customer", customers), first=5)
    got = {
        int(e["id"]): [int(p["id"]) for p in e["recommendations"]]
        for e in body["data"]["_entities"]
    }
    assert got == {c: _recommended(c, 5) for c in customers}
    assert sum(len(products) for products in got.values()) > 20
    for customer, products in got.items():
        assert not set(products) & BASKETS.get(customer, set())


async def test_related_products_match_the_reference(graphql: GraphQL) -> None:
    products = list(range(1, TEST_SCALE.products + 1))
    body = await graphql("marketing", RELATED_PRODUCTS, r=_entities("Product", products), first=7)
    got = {
        int(e["id"]): [int(p["id"]) for p in e["relatedProducts"]]
        for e in body["data"]["_entities"]
    }
    assert got == {p: [r for r, _ in RELATED.get(p, [])[:7]] for p in products}


async def test_unknown_customer_gets_no_recommendations(graphql: GraphQL) -> None:
    body = await graphql("marketing", RECOMMENDATIONS, r=_entities("Customer", [777777]), first=5)
    assert body["data"]["_entities"] == [{"id": "777777", "recommendations": []}]


@pytest.mark.parametrize("first", [-1, 21])
async def test_ranking_size_out_of_range(graphql: GraphQL, first: int) -> None:
    body = await graphql("marketing", RECOMMENDATIONS, r=_entities("Customer", [1]), first=first)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await graphql("marketing", RELATED_PRODUCTS, r=_entities("Product", [1]), first=first)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("query", "typename"), [(RECOMMENDATIONS, "Customer"), (RELATED_PRODUCTS, "Product")]
)
async def test_rankings_cost_the_same_for_5_and_50(
    graphql: GraphQL, statements: StatementCounter, query: str, typename: str
) -> None:
    counts = []
    for size in (5, 50):
        statements.reset()
        body = await graphql("marketing", query, r=_entities(typename, range(1, size + 1)), first=5)
        assert len(body["data"]["_entities"]) == size
        counts.append(statements.count)
    assert counts[0] == counts[1] == 1


CAMPAIGN_FIELDS = """id name channel status startsAt endsAt
coupons(first: 2) { edges { node { code percentOff remaining campaign { id } } }
  pageInfo { hasNextPage endCursor } }"""


async def test_campaigns_match_the_seed_and_filter(graphql: GraphQL) -> None:
    body = await graphql(
        "marketing", f"{{ campaigns(first: 100) {{ nodes {{ {CAMPAIGN_FIELDS} }} }} }}"
    )
    nodes = body["data"]["campaigns"]["nodes"]
    seeded = campaign_rows()
    assert [(n["name"], n["channel"], n["status"]) for n in nodes[: len(seeded)]] == [
        (row["name"], row["channel"], row["status"]) for row in seeded
    ]
    first = nodes[0]
    codes = [row["code"] for row in coupon_rows() if row["campaign_id"] == 1]
    assert [e["node"]["code"] for e in first["coupons"]["edges"]] == codes[:2]
    assert first["coupons"]["edges"][0]["node"]["campaign"] == {"id": "1"}
    assert first["coupons"]["pageInfo"]["hasNextPage"] is True
    body = await graphql(
        "marketing",
        "query($id: ID!, $after: String) { campaign(id: $id) { coupons(first: 5, after: $after) {"
        " nodes { code } pageInfo { hasNextPage } } } }",
        id="1",
        after=first["coupons"]["pageInfo"]["endCursor"],
    )
    assert body["data"]["campaign"]["coupons"] == {
        "nodes": [{"code": code} for code in codes[2:]],
        "pageInfo": {"hasNextPage": False},
    }
    body = await graphql(
        "marketing",
        "{ campaigns(first: 100, filter: {status: ACTIVE, channel: EMAIL}) { nodes { name } } }",
    )
    expected = [r["name"] for r in seeded if r["status"] == "ACTIVE" and r["channel"] == "EMAIL"]
    assert [n["name"] for n in body["data"]["campaigns"]["nodes"]][: len(expected)] == expected


async def test_campaign_pages_and_lookups(graphql: GraphQL) -> None:
    page = (
        await graphql(
            "marketing", "{ campaigns(first: 4) { nodes { id } pageInfo { endCursor } } }"
        )
    )["data"]["campaigns"]
    rest = await graphql(
        "marketing",
        "query($after: String) { campaigns(first: 2, after: $after) { nodes { id } } }",
        after=page["pageInfo"]["endCursor"],
    )
    assert [n["id"] for n in page["nodes"]] == ["1", "2", "3", "4"]
    assert [n["id"] for n in rest["data"]["campaigns"]["nodes"]] == ["5", "6"]
    body = await graphql(
        "marketing", '{ campaign(id: "424242") { id } coupon(code: "nope-0000") { id } }'
    )
    assert body["data"] == {"campaign": None, "coupon": None}
    code = coupon_rows()[4]["code"]
    body = await graphql(
        "marketing",
        "query($c: String!) { coupon(code: $c) { code campaign { name } } }",
        c=code.lower(),
    )
    assert body["data"]["coupon"] == {
        "code": code,
        "campaign": {"name": campaign_rows()[1]["name"]},
    }
    body = await graphql(
        "marketing",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Campaign { name } } }",
        r=_entities("Campaign", [2, 999]),
    )
    assert body["data"]["_entities"] == [{"name": campaign_rows()[1]["name"]}, None]


async def test_bad_ids_cursors_and_enums(graphql: GraphQL) -> None:
    for query in (
        '{ campaign(id: "x1") { id } }',
        '{ campaigns(after: "!!") { nodes { id } } }',
        "{ campaigns(first: 101) { nodes { id } } }",
    ):
        body = await graphql("marketing", query)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", query
    body = await graphql("marketing", "{ campaigns(filter: {channel: FAX}) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


CREATE_CAMPAIGN = """mutation($input: CreateCampaignInput!) {
  createCampaign(input: $input) { id name channel status startsAt endsAt } }"""
UPDATE_CAMPAIGN = """mutation($id: ID!, $status: CampaignStatus!) {
  updateCampaignStatus(id: $id, status: $status) { id status } }"""
CREATE_COUPON = """mutation($input: CreateCouponInput!) { createCoupon(input: $input) {
  id code percentOff maxRedemptions redemptions remaining campaign { id } } }"""
REDEEM = "mutation($code: String!) { redeemCoupon(code: $code) { code redemptions remaining } }"


async def _running_campaign(graphql: GraphQL) -> str:
    now = utcnow()
    body = await graphql(
        "marketing",
        CREATE_CAMPAIGN,
        input={
            "name": f"  Flash sale {next(_unique)} ",
            "channel": "SMS",
            "startsAt": (now - timedelta(days=1)).isoformat(),
            "endsAt": (now + timedelta(days=1)).isoformat(),
        },
    )
    created = body["data"]["createCampaign"]
    assert created["status"] == "DRAFT" and created["name"].startswith("Flash sale")
    return str(created["id"])


async def test_campaign_lifecycle(graphql: GraphQL, database: Database) -> None:
    campaign_id = await _running_campaign(graphql)
    body = await graphql("marketing", UPDATE_CAMPAIGN, id=campaign_id, status="ACTIVE")
    assert body["data"]["updateCampaignStatus"] == {"id": campaign_id, "status": "ACTIVE"}
    body = await graphql("marketing", UPDATE_CAMPAIGN, id=campaign_id, status="DRAFT")
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    body = await graphql("marketing", UPDATE_CAMPAIGN, id="5555555", status="ENDED")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await graphql(
        "marketing", "query($id: ID!) { campaign(id: $id) { status } }", id=campaign_id
    )
    assert body["data"]["campaign"]["status"] == "ACTIVE"


@pytest.mark.parametrize(
    "change",
    [
        {"name": "   "},
        {"endsAt": "2025-01-01T00:00:00+00:00"},
        {"startsAt": "2025-03-01T00:00:00"},
        {"endsAt": "2027-03-01T00:00:00+00:00"},
    ],
)
async def test_invalid_campaign_changes_nothing(
    graphql: GraphQL, database: Database, change: dict[str, str]
) -> None:
    before = await _count(database, Campaign)
    campaign = {
        "name": "Valid",
        "channel": "EMAIL",
        "startsAt": "2025-03-01T00:00:00+00:00",
        "endsAt": "2025-04-01T00:00:00+00:00",
    }
    body = await graphql("marketing", CREATE_CAMPAIGN, input={**campaign, **change})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _count(database, Campaign) == before


async def test_coupons_create_and_redeem(graphql: GraphQL, database: Database) -> None:
    campaign_id = await _running_campaign(graphql)
    code = f"flash-{next(_unique):04d}"
    body = await graphql(
        "marketing",
        CREATE_COUPON,
        input={"campaignId": campaign_id, "code": code, "percentOff": 15, "maxRedemptions": 2},
    )
    assert body["data"]["createCoupon"]["code"] == code.upper()
    assert body["data"]["createCoupon"]["remaining"] == 2
    body = await graphql("marketing", REDEEM, code=code)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"  # campaign still DRAFT
    await graphql("marketing", UPDATE_CAMPAIGN, id=campaign_id, status="ACTIVE")
    for redeemed in (1, 2):
        body = await graphql("marketing", REDEEM, code=code)
        assert body["data"]["redeemCoupon"] == {
            "code": code.upper(),
            "redemptions": redeemed,
            "remaining": 2 - redeemed,
        }
    body = await graphql("marketing", REDEEM, code=code)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    body = await graphql("marketing", REDEEM, code="NO-SUCH-CODE")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await graphql(
        "marketing", "query($c: String!) { coupon(code: $c) { redemptions } }", c=code
    )
    assert body["data"]["coupon"] == {"redemptions": 2}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"code": "x"}, "BAD_USER_INPUT"),
        ({"percentOff": 0}, "BAD_USER_INPUT"),
        ({"maxRedemptions": -5}, "BAD_USER_INPUT"),
        ({"campaignId": "abc"}, "BAD_USER_INPUT"),
        ({"campaignId": "8888888"}, "NOT_FOUND"),
        ({"campaignId": "1"}, "CONFLICT"),  # ended
        ({"code": coupon_rows()[-1]["code"]}, "CONFLICT"),  # taken
    ],
)
async def test_invalid_coupon_changes_nothing(
    graphql: GraphQL, database: Database, change: dict[str, Any], code: str
) -> None:
    before = await _count(database, Coupon)
    coupon = {"campaignId": "3", "code": "GOOD-CODE", "percentOff": 10, "maxRedemptions": 10}
    body = await graphql("marketing", CREATE_COUPON, input={**coupon, **change})
    assert body["errors"][0]["extensions"]["code"] == code
    assert await _count(database, Coupon) == before


RECORD = "mutation($input: OrderPlacedInput!) { recordOrderPlaced(input: $input) }"


async def test_record_order_placed_is_incremental_and_idempotent(
    graphql: GraphQL, database: Database
) -> None:
    customer = 500_000 + next(_unique)
    order = 900_000 + next(_unique)
    lines = [{"productId": "90001", "quantity": 2}, {"productId": "90002", "quantity": 1}]
    placed = {"orderId": str(order), "customerId": str(customer), "lines": lines}
    assert (await graphql("marketing", RECORD, input=placed))["data"] == {"recordOrderPlaced": True}
    assert (await graphql("marketing", RECORD, input=placed))["data"] == {
        "recordOrderPlaced": False
    }
    second = {
        "orderId": str(order + 1),
        "customerId": str(customer),
        "lines": [{"productId": "90002", "quantity": 3}, {"productId": "90003", "quantity": 1}],
    }
    assert (await graphql("marketing", RECORD, input=second))["data"] == {"recordOrderPlaced": True}
    async with database.sessions() as session:
        facts = {
            (f.product_id, f.quantity, f.last_order_id)
            for f in await session.scalars(
                select(PurchaseFact).where(PurchaseFact.customer_id == customer)
            )
        }
        scores = {
            (a.product_id, a.related_product_id): a.score
            for a in await session.scalars(
                select(ProductAffinity).where(ProductAffinity.product_id.in_([90001, 90002, 90003]))
            )
        }
    assert facts == {(90001, 2, order), (90002, 4, order + 1), (90003, 1, order + 1)}
    # One customer: each pair of basket products counts once, whichever order brought it.
    assert scores == {pair: 1 for pair in itertools.permutations([90001, 90002, 90003], 2)}
    other = {
        "orderId": str(order + 2),
        "customerId": str(customer + 1),
        "lines": [{"productId": "90001", "quantity": 1}, {"productId": "90003", "quantity": 1}],
    }
    await graphql("marketing", RECORD, input=other)
    body = await graphql("marketing", RELATED_PRODUCTS, r=_entities("Product", [90001]), first=5)
    assert body["data"]["_entities"][0]["relatedProducts"] == [{"id": "90003"}, {"id": "90002"}]
    body = await graphql(
        "marketing", RECOMMENDATIONS, r=_entities("Customer", [customer + 1]), first=5
    )
    assert body["data"]["_entities"][0]["recommendations"] == [{"id": "90002"}]


@pytest.mark.parametrize(
    "placed",
    [
        {"orderId": "1x", "customerId": "1", "lines": [{"productId": "1", "quantity": 1}]},
        {"orderId": "950001", "customerId": "0", "lines": [{"productId": "1", "quantity": 1}]},
        {"orderId": "950001", "customerId": "1", "lines": []},
        {"orderId": "950001", "customerId": "1", "lines": [{"productId": "1", "quantity": 0}]},
        {"orderId": "950001", "customerId": "1", "lines": [{"productId": "p", "quantity": 1}]},
    ],
)
async def test_invalid_order_fact_changes_nothing(
    graphql: GraphQL, database: Database, placed: dict[str, Any]
) -> None:
    before = [await _count(database, m) for m in (RecordedOrder, PurchaseFact, ProductAffinity)]
    body = await graphql("marketing", RECORD, input=placed)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert [
        await _count(database, m) for m in (RecordedOrder, PurchaseFact, ProductAffinity)
    ] == before


async def test_sdl_hides_the_internal_mutation(graphql: GraphQL) -> None:
    sdl = (await graphql("marketing", "{ _service { sdl } }"))["data"]["_service"]["sdl"]
    assert "recordOrderPlaced(input: OrderPlacedInput!): Boolean! @inaccessible" in sdl
    assert "input OrderPlacedInput @inaccessible" in sdl
    assert 'type Customer @key(fields: "id")' in sdl
    assert 'type Product @key(fields: "id")' in sdl


async def test_campaign_coupons_cost_the_same_for_2_and_6_campaigns(
    graphql: GraphQL, statements: StatementCounter
) -> None:
    query = """query($first: Int!) { campaigns(first: $first) { nodes {
      coupons(first: 5) { nodes { code campaign { name } } } } } }"""
    counts = []
    for size in (2, 6):
        statements.reset()
        body = await graphql("marketing", query, first=size)
        assert all(n["coupons"]["nodes"] for n in body["data"]["campaigns"]["nodes"])
        counts.append(statements.count)
    assert counts[0] == counts[1] == 3  # campaigns, coupons (window), their campaigns


async def test_concurrent_first_purchases_of_one_pair_all_count(
    graphql: GraphQL, database: Database
) -> None:
    pair = [90011, 90012]
    facts = [
        {
            "orderId": str(960_000 + next(_unique)),
            "customerId": str(600_000 + next(_unique)),
            "lines": [{"productId": str(p), "quantity": 1} for p in pair],
        }
        for _ in range(5)
    ]
    bodies = await asyncio.gather(*(graphql("marketing", RECORD, input=fact) for fact in facts))
    assert [body["data"] for body in bodies] == [{"recordOrderPlaced": True}] * 5
    async with database.sessions() as session:
        scores = await session.scalars(
            select(ProductAffinity.score).where(ProductAffinity.product_id.in_(pair))
        )
        assert list(scores) == [5, 5]


async def test_concurrent_redemptions_never_exceed_the_maximum(graphql: GraphQL) -> None:
    campaign_id = await _running_campaign(graphql)
    await graphql("marketing", UPDATE_CAMPAIGN, id=campaign_id, status="ACTIVE")
    code = f"RUSH-{next(_unique):04d}"
    await graphql(
        "marketing",
        CREATE_COUPON,
        input={"campaignId": campaign_id, "code": code, "percentOff": 50, "maxRedemptions": 3},
    )
    bodies = await asyncio.gather(*(graphql("marketing", REDEEM, code=code) for _ in range(8)))
    codes = Counter(
        body["errors"][0]["extensions"]["code"] if body.get("errors") else "OK" for body in bodies
    )
    assert codes == {"OK": 3, "CONFLICT": 5}
    body = await graphql(
        "marketing", "query($c: String!) { coupon(code: $c) { remaining } }", c=code
    )
    assert body["data"]["coupon"] == {"remaining": 0}
