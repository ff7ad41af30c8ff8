from __future__ import annotations

import httpx

from tests.fleet.apps import fleet_transport, fleet_urls
from tests.fleet.proxy import CountingProxy, proxy_urls, serving


def proxied_fleet() -> tuple[CountingProxy, httpx.AsyncClient]:
    proxy = CountingProxy(fleet_urls(), transport=fleet_transport())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://proxy")
    return proxy, client


async def test_forwards_to_the_named_subgraph_and_counts() -> None:
    proxy, client = proxied_fleet()
    async with client:
        me = await client.post("/accounts", json={"query": "{ me { name } }"})
        top = await client.post("/products", json={"query": "{ topProducts(first: 1) { upc } }"})
        await client.post("/products", json={"query": "{ __typename }"})
    assert me.json() == {"data": {"me": {"name": "Ada Lovelace"}}}
    assert top.json() == {"data": {"topProducts": [{"upc": "1"}]}}
    assert proxy.requests == {"accounts": 1, "products": 2}


async def test_unknown_subgraph_is_404_and_not_counted() -> None:
    proxy, client = proxied_fleet()
    async with client:
        response = await client.post("/nope", json={"query": "{ __typename }"})
    assert response.status_code == 404
    assert not proxy.requests


def test_proxy_urls_put_the_subgraph_in_the_path() -> None:
    assert proxy_urls(["accounts", "reviews"], 14499) == {
        "accounts": "http://127.0.0.1:14499/accounts",
        "reviews": "http://127.0.0.1:14499/reviews",
    }


def test_serving_listens_on_a_real_port_and_stops() -> None:
    proxy = CountingProxy(fleet_urls(), transport=fleet_transport())
    with serving(proxy, 14498):
        response = httpx.post(
            "http://127.0.0.1:14498/inventory",
            json={
                "query": '{ _entities(representations: [{__typename: "Product", upc: "2"}])'
                " { ... on Product { inStock } } }"
            },
        )
    assert response.json() == {"data": {"_entities": [{"inStock": False}]}}
    assert proxy.requests == {"inventory": 1}
    try:
        httpx.post("http://127.0.0.1:14498/inventory", json={}, timeout=1.0)
    except httpx.ConnectError:
        return
    raise AssertionError("the proxy still listens after the block")
