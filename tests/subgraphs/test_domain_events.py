"""Products, customers and marketing stage their events in the transaction of each change:
one event per change, none for a refused change, each conforming to its schema, and the
customers events carry ids and changed field names, never a personal value."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from events.catalogue import check
from events.envelope import Envelope, decode
from models.base import utcnow
from models.customers import CustomerEvent
from models.database import Database
from models.marketing import MarketingEvent
from models.outbox import OutboxRecord
from models.products import ProductEvent
from tests.conftest import GraphQL


async def staged(database: Database, outbox: type[OutboxRecord], aggregate: str) -> list[Envelope]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(outbox.envelope).where(outbox.aggregate_id == aggregate).order_by(outbox.id)
        )
        envelopes = [decode(row.encode()) for row in rows]
    for envelope in envelopes:
        check(envelope)
        assert envelope.subject == aggregate
    return envelopes


async def test_product_changes_stage_created_price_listed_delisted(
    graphql: GraphQL, database: Database
) -> None:
    sku = f"EVT-{uuid.uuid4().hex[:10].upper()}"
    body = await graphql(
        "products",
        "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
        input={
            "sku": sku,
            "name": "Evented Teapot",
            "category": "event-tests",
            "price": {"amount": "12.50", "currency": "CNY"},
        },
    )
    product = body["data"]["createProduct"]["id"]
    price = """mutation($id: ID!, $price: PriceInput!) { updatePrice(id: $id, price: $price) {
      id } }"""
    await graphql("products", price, id=product, price={"amount": "14.00", "currency": "CNY"})
    await graphql("products", price, id=product, price={"amount": "14.00", "currency": "CNY"})
    listing = "mutation($id: ID!) { listProduct(id: $id) { id } }"
    await graphql("products", listing, id=product)
    refused = await graphql("products", listing, id=product)  # already LISTED: no event
    assert refused["errors"][0]["extensions"]["code"] == "CONFLICT"
    await graphql("products", "mutation($id: ID!) { delistProduct(id: $id) { id } }", id=product)
    await graphql("products", listing, id=product)
    events = await staged(database, ProductEvent, product)
    assert [e.type for e in events] == [
        "products.ProductCreated",
        "products.PriceChanged",
        "products.ProductListed",
        "products.ProductDelisted",
        "products.ProductListed",
    ]
    assert events[0].data["sku"] == sku and events[0].data["price"]["priceMinor"] == 1250
    assert (events[1].data["previous"]["priceMinor"], events[1].data["current"]["priceMinor"]) == (
        1250,
        1400,
    )
    assert [events[2].data["previousStatus"], events[4].data["previousStatus"]] == [
        "DRAFT",
        "DELISTED",
    ]


async def test_customer_events_carry_changed_field_names_not_values(
    graphql: GraphQL, database: Database
) -> None:
    email = f"evt-{uuid.uuid4().hex[:10]}@example.com"
    body = await graphql(
        "customers",
        "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
        input={"name": "Wen Evented", "email": email, "phone": "+86 10 5555 0101"},
    )
    customer = body["data"]["createCustomer"]["id"]
    update = """mutation($id: ID!, $input: UpdateCustomerInput!) {
      updateCustomer(id: $id, input: $input) { id } }"""
    await graphql("customers", update, id=customer, input={"phone": "+86 10 5555 0202"})
    await graphql("customers", update, id=customer, input={"name": "Wen Evented"})  # unchanged
    await graphql("customers", update, id=customer, input={"tier": "GOLD", "name": "Wen E."})
    events = await staged(database, CustomerEvent, customer)
    assert [e.type for e in events] == [
        "customers.CustomerRegistered",
        "customers.CustomerUpdated",
        "customers.CustomerUpdated",
    ]
    assert events[0].data["tier"] == "BRONZE"
    assert events[1].data["changedFields"] == ["phone"]
    assert events[2].data["changedFields"] == ["name", "tier"]
    assert events[2].data["tier"] == "GOLD" and events[2].data["cause"] == "API"
    async with database.sessions() as session:
        raw = await session.scalars(
            select(CustomerEvent.envelope).where(CustomerEvent.aggregate_id == customer)
        )
        text = " ".join(raw)
    for personal in (email, "Wen", "5555"):
        assert personal not in text


async def test_campaign_status_changes_and_redemptions_are_staged(
    graphql: GraphQL, database: Database
) -> None:
    now = utcnow()
    body = await graphql(
        "marketing",
        "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }",
        input={
            "name": "Evented sale",
            "channel": "SMS",
            "startsAt": (now - timedelta(days=1)).isoformat(),
            "endsAt": (now + timedelta(days=1)).isoformat(),
        },
    )
    campaign = body["data"]["createCampaign"]["id"]
    status = """mutation($id: ID!, $status: CampaignStatus!) {
      updateCampaignStatus(id: $id, status: $status) { id } }"""
    await graphql("marketing", status, id=campaign, status="ACTIVE")
    code = f"EVT-{uuid.uuid4().hex[:8].upper()}"
    body = await graphql(
        "marketing",
        "mutation($input: CreateCouponInput!) { createCoupon(input: $input) { id } }",
        input={"campaignId": campaign, "code": code, "percentOff": 10, "maxRedemptions": 1},
    )
    coupon = body["data"]["createCoupon"]["id"]
    redeem = "mutation($code: String!) { redeemCoupon(code: $code) { redemptions } }"
    await graphql("marketing", redeem, code=code)
    used_up = await graphql("marketing", redeem, code=code)  # refused: no event
    assert used_up["errors"][0]["extensions"]["code"] == "CONFLICT"
    await graphql("marketing", status, id=campaign, status="ENDED")
    # A campaign and a coupon may share an id: each is read by its event type.
    changes = [
        e
        for e in await staged(database, MarketingEvent, campaign)
        if e.type == "marketing.CampaignStatusChanged"
    ]
    assert [(e.type, e.data["from"], e.data["to"]) for e in changes] == [
        ("marketing.CampaignStatusChanged", "DRAFT", "ACTIVE"),
        ("marketing.CampaignStatusChanged", "ACTIVE", "ENDED"),
    ]
    redeemed = [
        e
        for e in await staged(database, MarketingEvent, coupon)
        if e.type == "marketing.CouponRedeemed"
    ]
    assert [(e.type, e.data["code"], e.data["redemptions"]) for e in redeemed] == [
        ("marketing.CouponRedeemed", code, 1)
    ]
