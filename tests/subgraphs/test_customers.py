"""The customers subgraph over HTTP: queries, pagination, mutations, entities, errors."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from models.customers import Customer
from models.database import Database
from models.seed import generate
from tests.conftest import TEST_SCALE, GraphQL, StatementCounter

_unique = itertools.count(1)


def _email() -> str:
    return f"test.user.{next(_unique)}@example.org"


async def _customer_count(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Customer)) or 0)


async def test_customer_by_id_matches_the_seed(graphql: GraphQL) -> None:
    expected = generate.customer(TEST_SCALE, 3)
    body = await graphql(
        "customers",
        "query($id: ID!) {"
        " customer(id: $id) { id name email tier tags addresses { city country } } }",
        id="3",
    )
    customer = body["data"]["customer"]
    assert customer["name"] == expected.name
    assert customer["email"] == expected.email
    assert customer["tier"] == expected.tier
    assert customer["tags"] == list(expected.tags)
    assert [a["city"] for a in customer["addresses"]] == [a.city for a in expected.addresses]


async def test_unknown_customer_is_null(graphql: GraphQL) -> None:
    body = await graphql("customers", '{ customer(id: "999999") { id } }')
    assert body == {"data": {"customer": None}}


async def test_malformed_id_is_bad_user_input(graphql: GraphQL) -> None:
    body = await graphql("customers", '{ customer(id: "abc") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["data"] == {"customer": None}


async def test_pages_walk_every_customer_once(graphql: GraphQL) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await graphql(
            "customers",
            "query($after: String) { customers(first: 25, after: $after) {"
            " edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
            after=after,
        )
        page = body["data"]["customers"]
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen[: TEST_SCALE.customers] == [str(i) for i in range(1, TEST_SCALE.customers + 1)]
    assert len(seen) == len(set(seen))


async def test_filter_by_tier_and_tag(graphql: GraphQL) -> None:
    gold = {c.id for c in generate.customers(TEST_SCALE) if c.tier == "GOLD"}
    vip = {c.id for c in generate.customers(TEST_SCALE) if "vip" in c.tags}
    body = await graphql(
        "customers",
        "{ gold: customers(first: 100, filter: {tier: GOLD}) { nodes { id } }"
        '  vip: customers(first: 100, filter: {tag: "vip"}) { nodes { id } } }',
    )
    assert {int(n["id"]) for n in body["data"]["gold"]["nodes"]} >= gold
    assert {int(n["id"]) for n in body["data"]["vip"]["nodes"]} >= vip
    assert all(
        int(n["id"]) in vip
        for n in body["data"]["vip"]["nodes"]
        if int(n["id"]) <= TEST_SCALE.customers
    )


async def test_bad_cursor_and_page_size(graphql: GraphQL) -> None:
    body = await graphql("customers", '{ customers(after: "nope") { nodes { id } } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await graphql("customers", "{ customers(first: 1000) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bad_enum_value_is_a_validation_error(graphql: GraphQL) -> None:
    body = await graphql("customers", "{ customers(filter: {tier: DIAMOND}) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    body = await graphql(
        "customers",
        "query($t: CustomerTier) { customers(filter: {tier: $t}) { nodes { id } } }",
        t="X",
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_syntax_error_has_a_code(graphql: GraphQL) -> None:
    body = await graphql("customers", "{ customer(id: ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { id name email tier tags addresses { kind city country } }
}"""


async def test_create_customer(graphql: GraphQL, database: Database) -> None:
    email = _email()
    body = await graphql(
        "customers",
        CREATE,
        input={
            "name": " Mei Lin ",
            "email": email.upper(),
            "tier": "SILVER",
            "tags": ["VIP", "vip", "newsletter"],
            "addresses": [
                {
                    "kind": "SHIPPING",
                    "line1": "1 Nanjing Rd",
                    "city": "Shanghai",
                    "postalCode": "200000",
                    "country": "cn",
                }
            ],
        },
    )
    created = body["data"]["createCustomer"]
    assert created["name"] == "Mei Lin"
    assert created["email"] == email
    assert created["tags"] == ["newsletter", "vip"]
    assert created["addresses"] == [{"kind": "SHIPPING", "city": "Shanghai", "country": "CN"}]
    again = await graphql(
        "customers", "query($id: ID!) { customer(id: $id) { email } }", id=created["id"]
    )
    assert again["data"]["customer"]["email"] == email


async def test_invalid_or_duplicate_email_changes_nothing(
    graphql: GraphQL, database: Database
) -> None:
    before = await _customer_count(database)
    body = await graphql("customers", CREATE, input={"name": "X", "email": "not-an-email"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    taken = generate.customer(TEST_SCALE, 1).email
    body = await graphql("customers", CREATE, input={"name": "X", "email": taken})
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert await _customer_count(database) == before


async def test_update_customer(graphql: GraphQL) -> None:
    created = (await graphql("customers", CREATE, input={"name": "Old", "email": _email()}))[
        "data"
    ]["createCustomer"]
    update = """mutation($id: ID!, $input: UpdateCustomerInput!) {
        updateCustomer(id: $id, input: $input) { name tier phone email } }"""
    body = await graphql(
        "customers",
        update,
        id=created["id"],
        input={"name": "New", "tier": "GOLD", "phone": "+86 138 0000 0000"},
    )
    assert body["data"]["updateCustomer"] == {
        "name": "New",
        "tier": "GOLD",
        "phone": "+86 138 0000 0000",
        "email": created["email"],
    }
    body = await graphql("customers", update, id="987654", input={"name": "Nobody"})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    taken = generate.customer(TEST_SCALE, 2).email
    body = await graphql("customers", update, id=created["id"], input={"email": taken})
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    body = await graphql("customers", update, id=created["id"], input={"name": None})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    check = await graphql(
        "customers", "query($id: ID!) { customer(id: $id) { name email } }", id=created["id"]
    )
    assert check["data"]["customer"] == {"name": "New", "email": created["email"]}


async def test_entities_and_sdl(graphql: GraphQL) -> None:
    body = await graphql("customers", "{ _service { sdl } }")
    assert '@key(fields: "id")' in body["data"]["_service"]["sdl"]
    body = await graphql(
        "customers",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id email } } }",
        r=[{"__typename": "Customer", "id": "2"}, {"__typename": "Customer", "id": "424242"}],
    )
    assert body["data"]["_entities"] == [
        {"id": "2", "email": generate.customer(TEST_SCALE, 2).email},
        None,
    ]


async def test_entity_batch_costs_one_statement_per_loader(
    graphql: GraphQL, statements: StatementCounter
) -> None:
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) {"
        " ... on Customer { id addresses { city } } } }"
    )
    counts = []
    for size in (5, 50):
        statements.reset()
        representations = [{"__typename": "Customer", "id": str(i)} for i in range(1, size + 1)]
        body = await graphql("customers", query, r=representations)
        assert len(body["data"]["_entities"]) == size
        counts.append(statements.count)
    assert counts[0] == counts[1] == 2
