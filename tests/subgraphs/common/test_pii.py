"""Personal data: the mask of each kind, and a walk of the composed schema (schema.graphql)
querying every field tagged pii through its subgraph, masked without pii:read and plain
with it; PII-looking field names must all be tagged."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    FieldDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    get_named_type,
    is_non_null_type,
    parse,
)

from models.database import Database
from router.security.identity import Identity, IdentityKind, IdentitySigner
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.identity import IDENTITY_HEADER, IdentityVerifier
from subgraphs.common.pii import (
    PII_SCOPE,
    is_pii,
    mask,
    mask_email,
    mask_name,
    mask_phone,
    mask_text,
)
from subgraphs.registry import DOMAINS

ROOT = Path(__file__).resolve().parents[3]
SECRET = "pii-tests-identity-secret-0123456789abcdef"
SIGNER = IdentitySigner(SECRET)
STAFF = Identity(IdentityKind.USER, "staff-1", "back-office", frozenset({"staff"}))
PII_READER = Identity(IdentityKind.USER, "dpo-1", "back-office", frozenset({"staff", PII_SCOPE}))
# Entities to read each tagged field through (a new entity type with PII needs ids here).
SAMPLE_IDS = {"Customer": [str(i) for i in range(1, 31)]}
# Field names that are personal data wherever they appear; `name` only on people.
PII_LOOKING = re.compile(
    r"^(e?mail|emailAddress|phone|phoneNumber|mobile|line[12]|street|postalCode|zip(Code)?"
    r"|birthDate|dateOfBirth|birthday|firstName|lastName|fullName|nationalId|passport)$"
)
PEOPLE = frozenset({"Customer"})
# Decided not personal data: names of things, not people.
NOT_PII = {"Warehouse.name", "Product.name", "Campaign.name"}


def test_masks_keep_only_what_the_issue_allows() -> None:
    assert mask_email("yang.li@example.com") == "y***@example.com"
    assert mask_email("not an email") == "***"
    assert mask_phone("+86 138 1234 1234") == "+86 *** **** 1234"
    assert mask_phone("+8613812341234") == "+86 *** **** 1234"
    assert mask_phone("+1 (415) 555-0123") == "+1 *** **** 0123"
    assert mask_phone("138-1234-5678") == "*** **** 5678"
    assert mask_phone("12345") == "***"
    assert mask_name("Zhang Wei") == "Z***"
    assert mask_name("  ") == "***"
    assert mask_text("355 Shelf Road") == "***"
    assert mask("postalCode", "998411") == "***"
    assert mask("email", "a@b.cn") == "a***@b.cn"


def _composed() -> Iterator[tuple[str, FieldDefinitionNode]]:
    document = parse((ROOT / "schema.graphql").read_text())
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            for field in definition.fields or ():
                yield definition.name.value, field


def _tagged_pii(field: FieldDefinitionNode) -> bool:
    for directive in field.directives or ():
        for argument in directive.arguments or ():
            value = argument.value
            if (
                directive.name.value == "tag"
                and isinstance(value, StringValueNode)
                and value.value == "pii"
            ):
                return True
    return False


TAGGED = sorted(f"{t}.{f.name.value}" for t, f in _composed() if _tagged_pii(f))


def test_the_composed_schema_tags_the_known_personal_data() -> None:
    assert set(TAGGED) >= {
        "Customer.name",
        "Customer.email",
        "Customer.phone",
        "Address.line1",
        "Address.postalCode",
    }
    assert not NOT_PII & set(TAGGED)


def test_every_pii_looking_field_is_tagged() -> None:
    """A new email/phone/address/birth-date field (or a person's name) must be tagged."""
    looking = {
        f"{type_name}.{field.name.value}"
        for type_name, field in _composed()
        if PII_LOOKING.match(field.name.value)
        or (type_name in PEOPLE and field.name.value.lower().endswith("name"))
    }
    assert looking, "the guard matched nothing: is the pattern still right?"
    assert sorted(looking - set(TAGGED)) == []


def _owner(type_name: str, field_name: str) -> str:
    """The subgraph whose schema tags the field (it is the one that masks it)."""
    for name, domain in DOMAINS.items():
        found = domain.schema._schema.type_map.get(type_name)
        fields = found.fields if isinstance(found, GraphQLObjectType) else {}
        if field_name in fields and is_pii(fields[field_name].extensions):
            return name
    raise AssertionError(f"no subgraph tags {type_name}.{field_name}")


def _entity_path(schema: GraphQLSchema, target: str) -> tuple[str, list[str]]:
    """An entity type and the fields (without required arguments) leading to ``target``."""
    entity = schema.type_map["_Entity"]
    assert isinstance(entity, GraphQLUnionType)
    queue: deque[tuple[str, str, list[str]]] = deque((t.name, t.name, []) for t in entity.types)
    seen: set[str] = set()
    while queue:
        start, current, path = queue.popleft()
        if current == target:
            return start, path
        if current in seen:
            continue
        seen.add(current)
        type_ = schema.type_map[current]
        assert isinstance(type_, GraphQLObjectType)
        for name, field in type_.fields.items():
            inner = get_named_type(field.type)
            required = any(is_non_null_type(a.type) for a in field.args.values())
            if isinstance(inner, GraphQLObjectType) and not required:
                queue.append((start, inner.name, [*path, name]))
    raise AssertionError(f"{target} cannot be reached from an entity of its subgraph")


def _leaves(value: Any, path: list[str]) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    elif value is not None and path:
        yield from _leaves(value.get(path[0]), path[1:])
    elif not path:
        yield value


@pytest.fixture
async def subgraphs(database: Database) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients: dict[str, httpx.AsyncClient] = {}
    verifier = IdentityVerifier(SECRET, production=True)
    for name in {_owner(*field.split(".")) for field in TAGGED}:
        domain = DOMAINS[name]
        app = create_subgraph_app(
            name, domain.schema, database, domain.metadata, create_tables=False, identity=verifier
        )
        clients[name] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url=f"http://{name}"
        )
    yield clients
    for client in clients.values():
        await client.aclose()


async def _ask(
    client: httpx.AsyncClient, identity: Identity, query: str, **variables: Any
) -> dict[str, Any]:
    headers = {IDENTITY_HEADER: SIGNER.sign(identity)}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


@pytest.mark.parametrize("field", TAGGED)
async def test_each_tagged_field_is_masked_without_pii_read(
    field: str, subgraphs: dict[str, httpx.AsyncClient]
) -> None:
    type_name, field_name = field.split(".")
    subgraph = _owner(type_name, field_name)
    entity, path = _entity_path(DOMAINS[subgraph].schema._schema, type_name)
    selection = field_name
    for step in reversed(path):
        selection = f"{step} {{ {selection} }}"
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) "
        f"{{ ... on {entity} {{ {selection} }} }} }}"
    )
    representations = [{"__typename": entity, "id": id_} for id_ in SAMPLE_IDS[entity]]
    client = subgraphs[subgraph]
    plain = await _ask(client, PII_READER, query, r=representations)
    masked = await _ask(client, STAFF, query, r=representations)
    leaf_path = [*path, field_name]
    plain_values = list(_leaves(plain["data"]["_entities"], leaf_path))
    masked_values = list(_leaves(masked["data"]["_entities"], leaf_path))
    assert any(v for v in plain_values), f"no sample entity has a {field}: add some"
    assert masked_values == [None if v is None else mask(field_name, v) for v in plain_values]
    assert all(m != p for m, p in zip(masked_values, plain_values, strict=True) if p)
    # the unmasked read is reported to the router's audit log, the masked one is not
    reported = plain["extensions"]["audit"]["pii"]
    label = field_name if not path else f"{type_name}.{field_name}"
    assert any(label in entry["fields"] and entry["type"] == entity for entry in reported)
    assert "audit" not in (masked.get("extensions") or {})


SEARCHES = {
    "search": '{ customers(first: 5, filter: {search: "zhou"}) { nodes { id } } }',
    "sort by name": "{ customers(first: 5, orderBy: {field: NAME}) { nodes { id } } }",
    "search in a variable": (
        "query($f: CustomerFilter) { customers(first: 5, filter: $f) { nodes { id } } }"
    ),
}


@pytest.mark.parametrize("case", sorted(SEARCHES))
async def test_filters_and_sorts_by_personal_data_need_pii_read(
    case: str, subgraphs: dict[str, httpx.AsyncClient]
) -> None:
    client = subgraphs["customers"]
    query = SEARCHES[case]
    variables = {"f": {"search": "zhou"}}
    headers = {IDENTITY_HEADER: SIGNER.sign(STAFF)}
    refused = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    errors = refused.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    allowed = await _ask(client, PII_READER, query, **variables)
    assert allowed["data"]["customers"]["nodes"]


async def test_filters_without_personal_data_stay_open(
    subgraphs: dict[str, httpx.AsyncClient],
) -> None:
    query = (
        '{ customers(first: 5, filter: {tier: GOLD, search: ""}, orderBy: {field: CREATED_AT})'
        " { nodes { id } } }"
    )
    body = await _ask(subgraphs["customers"], STAFF, query)
    assert body["data"]["customers"]["nodes"]


async def test_a_customer_reads_its_own_personal_data_unmasked(
    subgraphs: dict[str, httpx.AsyncClient],
) -> None:
    """The data subject is not masked from itself; anyone else without pii:read is."""
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on Customer { id email addresses { line1 } } } }"
    )
    own_id = SAMPLE_IDS["Customer"][0]
    representation = [{"__typename": "Customer", "id": own_id}]
    itself = Identity(IdentityKind.USER, subject=own_id, scopes=frozenset({"customer"}))
    own = await _ask(subgraphs["customers"], itself, query, r=representation)
    plain = await _ask(subgraphs["customers"], PII_READER, query, r=representation)
    masked = await _ask(subgraphs["customers"], STAFF, query, r=representation)
    assert own["data"] == plain["data"] != masked["data"]
    assert "***" not in own["data"]["_entities"][0]["email"]
    assert own["extensions"]["audit"]["pii"]
