from __future__ import annotations

import httpx
import pytest

from tests.fleet.apps import SUBGRAPH_NAMES, fleet_transport, fleet_urls


async def test_transport_routes_by_port_and_counts_requests() -> None:
    transport = fleet_transport()
    urls = fleet_urls()
    async with httpx.AsyncClient(transport=transport) as client:
        me = await client.post(urls["accounts"], json={"query": "{ me { id } }"})
        first = {"query": "{ topProducts(first: 1) { upc } }"}
        top = await client.post(urls["products"], json=first)
        again = await client.post(urls["products"], json={"query": "{ topProducts { name } }"})
    assert me.json() == {"data": {"me": {"id": "1"}}}
    assert top.json() == {"data": {"topProducts": [{"upc": "1"}]}}
    assert again.status_code == 200
    assert transport.requests == {"accounts": 1, "products": 2}


async def test_every_subgraph_answers_its_service_sdl() -> None:
    transport = fleet_transport(base_port=5001)
    async with httpx.AsyncClient(transport=transport) as client:
        for name, url in fleet_urls(5001).items():
            response = await client.post(url, json={"query": "{ _service { sdl } }"})
            assert "@key" in response.json()["data"]["_service"]["sdl"], name
    assert sorted(transport.requests) == sorted(SUBGRAPH_NAMES)


@pytest.mark.parametrize("url", ["http://127.0.0.1:4005/graphql", "http://localhost:4001/graphql"])
async def test_unknown_address_is_refused(url: str) -> None:
    transport = fleet_transport()
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(url, json={"query": "{ __typename }"})
    assert not transport.requests
