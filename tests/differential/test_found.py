"""Router bugs the differential harness found, each minimised to its smallest query.

All are fixed and stay as regression tests: a composite field whose selections are all
excluded by ``@skip``/``@include`` answers ``{}`` (it was sent with no selection set); an
alias on one type named like a key the planner adds on another (the key conflict alias is
renamed back per type); ``@requires`` under its own subgraph (parent-entity calls). A new
bug gets a ``xfail(strict=True)`` test here and an entry in ``KNOWN_DISAGREEMENTS``
(``known.py``) until it is fixed.

The expected bodies are what the schema and the data say (Apollo Gateway and Hive Gateway
both answer exactly these over the same subgraphs). The subgraphs run in-process
(``tests.fleet.apps``, ``tests.router.shop.apps``), so no Node is needed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from models.database import Database
from platform_cli.dev import Platform
from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest, RequestError
from subgraphs.registry import DOMAINS
from tests.fleet.apps import fleet_transport
from tests.project_access import STAFF, project_platform
from tests.router.shop.apps import SUPERGRAPH as SHOP_SUPERGRAPH
from tests.router.shop.apps import shop_transport

REPOSITORY = Path(__file__).resolve().parents[2]
FLEET_SUPERGRAPH = (REPOSITORY / "tests" / "fixtures" / "fleet" / "supergraph.graphql").read_text(
    encoding="utf-8"
)
PROJECT_SUPERGRAPH = (REPOSITORY / "schema.graphql").read_text(encoding="utf-8")


async def _execute(
    router: Router, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    prepared = router.prepare(GraphQLRequest(query, None, variables), STAFF)
    if isinstance(prepared, RequestError):
        return {"errors": [dict(error) for error in prepared.errors], "data": None}
    assert isinstance(prepared, PreparedOperation)
    return await router.execute(prepared)


async def _answer(
    supergraph: str, transport: Any, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    router = Router.from_supergraph_sdl(supergraph, transport=transport)
    try:
        return await _execute(router, query, variables)
    finally:
        await router.aclose()


async def test_root_field_with_every_selection_skipped() -> None:
    body = await _answer(
        FLEET_SUPERGRAPH, fleet_transport(), "{ topProducts(first: 1) { upc @skip(if: true) } }"
    )
    assert json.dumps(body) == json.dumps({"data": {"topProducts": [{}]}})


async def test_selection_skipped_by_a_variable() -> None:
    query = "query($s: Boolean!) { topProducts(first: 1) { upc @skip(if: $s) } }"
    body = await _answer(FLEET_SUPERGRAPH, fleet_transport(), query, {"s": True})
    assert json.dumps(body) == json.dumps({"data": {"topProducts": [{}]}})


async def test_entity_field_with_every_selection_skipped() -> None:
    query = "{ me { reviews { body @include(if: false) } } }"
    body = await _answer(FLEET_SUPERGRAPH, fleet_transport(), query)
    assert json.dumps(body) == json.dumps({"data": {"me": {"reviews": [{}, {}]}}})


async def test_abstract_field_with_its_only_fragment_skipped() -> None:
    query = "{ media { ... on Book @include(if: false) { title } } }"
    body = await _answer(SHOP_SUPERGRAPH, shop_transport(), query)
    assert json.dumps(body) == json.dumps({"data": {"media": [{}, {}, {}]}})


async def test_alias_on_one_type_named_like_the_key_of_another() -> None:
    query = "{ media { ... on Movie { id: minutes } ... on Book { stock } } }"
    body = await _answer(SHOP_SUPERGRAPH, shop_transport(), query)
    expected = {"data": {"media": [{"stock": 7}, {"stock": 0}, {"id": 117}]}}
    assert json.dumps(body) == json.dumps(expected)


@pytest.fixture
async def platform(database: Database) -> AsyncIterator[Platform]:
    """The five domains in-process over the session's seeded database (tests/conftest.py)."""
    async with project_platform({name: database for name in DOMAINS}, PROJECT_SUPERGRAPH) as wired:
        yield wired


async def test_requires_field_on_an_object_from_the_requiring_subgraph(platform: Platform) -> None:
    nested = (
        '{ warehouse(code: "SH-01") { stock(first: 1) { nodes { product { id '
        "shippingEstimate { days } } } } } }"
    )
    body = await _execute(platform.router, nested)
    assert "errors" not in body, body
    product = body["data"]["warehouse"]["stock"]["nodes"][0]["product"]
    direct = await _execute(
        platform.router, f'{{ product(id: "{product["id"]}") {{ shippingEstimate {{ days }} }} }}'
    )
    assert "errors" not in direct, direct
    assert product["shippingEstimate"] == direct["data"]["product"]["shippingEstimate"]
