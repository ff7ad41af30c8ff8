"""The Python fleet is faithful to the Node reference fleet (``fixtures/fleet.mjs``).

Without Node: each subgraph's ``_service { sdl }`` declares the same types, fields,
arguments, defaults and federation directives as ``tests/fixtures/fleet/schemas``.
With Node (``-m node``): Apollo Gateway in front of the Python fleet answers every corpus
query exactly as it answered in front of the Node fleet, Apollo composes the Python fleet
into the recorded supergraph, and each Python subgraph answers subgraph-level requests
(``_entities`` with unknown keys, missing ``@requires`` fields...) like its Node twin.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    DocumentNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    parse,
    print_ast,
)

from tests.fleet.apps import SUBGRAPH_NAMES, fleet_schemas, fleet_urls
from tests.fleet.corpus import CORPUS_DIR, CorpusCase, load_corpus
from tests.fleet.proxy import CountingProxy, proxy_urls, serving
from tests.fleet.record import (
    apollo_gateway,
    ask_apollo,
    node_fleet,
    python_fleet,
    supergraph_for,
)
from tests.peers import PEERS_DIR, needs_node

SCHEMAS_DIR = CORPUS_DIR.parent / "schemas"
PYTHON_BASE_PORT = 14421
NODE_BASE_PORT = 14441
GATEWAY_PORT = 14430
PROXY_PORT = 14435
FEDERATION_TYPES = {"_Any", "_Entity", "_Service"}
FIELDS_TO_SKIP = {"_entities", "_service"}


def shape(document: DocumentNode) -> dict[str, Any]:
    """What composition sees of a subgraph: linked imports and each type's definition."""
    shapes: dict[str, Any] = {}
    for node in document.definitions:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            shapes["@link"] = sorted(_links(node))
            continue
        name = node.name.value  # type: ignore[attr-defined]
        if name in FEDERATION_TYPES:
            continue
        if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            fields = [print_ast(f) for f in node.fields or () if f.name.value not in FIELDS_TO_SKIP]
            if fields:
                directives = sorted(print_ast(d) for d in node.directives or ())
                shapes[name] = (isinstance(node, ObjectTypeExtensionNode), directives, fields)
        else:
            shapes[name] = print_ast(node)
    return shapes


def _links(node: SchemaDefinitionNode | SchemaExtensionNode) -> Iterator[tuple[str, str]]:
    for directive in node.directives or ():
        arguments = {argument.name.value: argument.value for argument in directive.arguments or ()}
        url, imports = arguments["url"], arguments["import"]
        assert isinstance(url, StringValueNode) and isinstance(imports, ListValueNode)
        for name in imports.values:
            assert isinstance(name, StringValueNode)
            yield url.value, name.value


@pytest.mark.parametrize("name", SUBGRAPH_NAMES)
async def test_service_sdl_matches_the_reference_schema(name: str) -> None:
    result = await fleet_schemas()[name].execute("{ _service { sdl } }")
    assert result.errors is None and result.data is not None
    python_shape = shape(parse(result.data["_service"]["sdl"]))
    reference = (SCHEMAS_DIR / f"{name}.graphql").read_text(encoding="utf-8")
    assert python_shape == shape(parse(reference))


def test_shape_sees_a_changed_field() -> None:
    reference = (SCHEMAS_DIR / "products.graphql").read_text(encoding="utf-8")
    changed = reference.replace("first: Int = 5", "first: Int = 6")
    assert shape(parse(changed)) != shape(parse(reference))


# ------------------------------------------------------------------ with Node


@pytest.fixture(scope="module")
def counting_proxy() -> CountingProxy:
    return CountingProxy(fleet_urls(PYTHON_BASE_PORT))


@pytest.fixture(scope="module")
def python_gateway(counting_proxy: CountingProxy) -> Iterator[str]:
    """Apollo Gateway -> counting proxy -> the Python fleet on real ports."""
    routed = proxy_urls(SUBGRAPH_NAMES, PROXY_PORT)
    with (
        python_fleet(PYTHON_BASE_PORT),
        serving(counting_proxy, PROXY_PORT),
        apollo_gateway(routed, GATEWAY_PORT) as url,
    ):
        yield url


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as client:
        yield client


@pytest.mark.node
@needs_node
@pytest.mark.parametrize("case", load_corpus(), ids=lambda case: case.name)
def test_apollo_answers_the_same_over_the_python_fleet(
    case: CorpusCase, python_gateway: str, counting_proxy: CountingProxy, client: httpx.Client
) -> None:
    before = counting_proxy.requests.copy()
    answer = ask_apollo(client, python_gateway, case.request_body())
    assert (answer.status, answer.body) == (case.apollo_status, case.expected)
    assert answer.plan == case.apollo_plan
    assert counting_proxy.requests - before == case.apollo_requests


@pytest.mark.node
@needs_node
def test_apollo_composes_the_python_fleet_into_the_recorded_supergraph(python_gateway: str) -> None:
    urls = fleet_urls(PYTHON_BASE_PORT)
    args = ["node", str(PEERS_DIR / "compose.mjs"), *(f"{n}={u}" for n, u in urls.items())]
    composed = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60)
    assert composed.stdout == supergraph_for(urls)


SUBGRAPH_REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("accounts", "{ me { id name username birthDate } users { id name } }", None),
    (
        "products",
        "{ a: topProducts { upc name price weight } b: topProducts(first: -3) { upc } "
        "c: topProducts(first: null) { upc } d: topProducts(first: 2) { upc } }",
        None,
    ),
]
ENTITY_REQUESTS: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "accounts",
        "... on User { id name username birthDate }",
        [{"__typename": "User", "id": "2"}, {"__typename": "User", "id": "99"}],
    ),
    (
        "products",
        "... on Product { upc name price weight }",
        [{"__typename": "Product", "upc": "3"}, {"__typename": "Product", "upc": "x"}],
    ),
    (
        "inventory",
        "... on Product { upc inStock shippingEstimate }",
        [
            {"__typename": "Product", "upc": "1", "price": 899, "weight": 100},
            {"__typename": "Product", "upc": "2", "price": 1001, "weight": 7},
            {"__typename": "Product", "upc": "3", "price": 3, "weight": 5},
            {"__typename": "Product", "upc": "1"},
            {"__typename": "Product", "upc": "4", "price": 1, "weight": 1},
        ],
    ),
    ("inventory", "... on Product { upc inStock }", [{"__typename": "Product", "upc": "2"}]),
    (
        "reviews",
        "... on User { id username reviews { id body author { id username } } }",
        [
            {"__typename": "User", "id": "1"},
            {"__typename": "User", "id": "3"},
            {"__typename": "User", "id": "8"},
            {"__typename": "User", "id": "2", "username": "@x"},
        ],
    ),
    (
        "reviews",
        "... on Product { upc reviews { id product { upc } } }",
        [{"__typename": "Product", "upc": "1"}, {"__typename": "Product", "upc": "5"}],
    ),
    (
        "reviews",
        "... on Review { id body author { id username } product { upc } }",
        [{"__typename": "Review", "id": "4"}, {"__typename": "Review", "id": "0"}],
    ),
]
ENTITIES = "query ($r: [_Any!]!) {{ _entities(representations: $r) {{ {} }} }}"


def _requests() -> list[tuple[str, dict[str, Any]]]:
    plain = [(name, {"query": query}) for name, query, _ in SUBGRAPH_REQUESTS]
    entities = [
        (name, {"query": ENTITIES.format(selection), "variables": {"r": refs}})
        for name, selection, refs in ENTITY_REQUESTS
    ]
    return plain + entities


@pytest.fixture(scope="module")
def node_fleet_urls() -> Iterator[dict[str, str]]:
    with node_fleet(NODE_BASE_PORT):
        yield fleet_urls(NODE_BASE_PORT)


def _comparable(body: dict[str, Any]) -> tuple[Any, list[tuple[str, Any]]]:
    errors = [(error["message"], error.get("path")) for error in body.get("errors", ())]
    return body.get("data"), errors


@pytest.mark.node
@needs_node
@pytest.mark.parametrize(("subgraph", "body"), _requests())
def test_python_subgraph_answers_like_the_node_subgraph(
    subgraph: str,
    body: dict[str, Any],
    node_fleet_urls: dict[str, str],
    python_gateway: str,
    client: httpx.Client,
) -> None:
    node = client.post(node_fleet_urls[subgraph], json=body)
    python = client.post(fleet_urls(PYTHON_BASE_PORT)[subgraph], json=body)
    assert python.status_code == node.status_code
    assert _comparable(python.json()) == _comparable(node.json())


def test_fleet_files_exist() -> None:
    assert all((SCHEMAS_DIR / f"{name}.graphql").is_file() for name in SUBGRAPH_NAMES)
    assert Path(CORPUS_DIR).is_dir()
