"""Security headers on every response: GraphQL answers, errors, health, GraphiQL."""

from __future__ import annotations

from router.graphiql import CONTENT_SECURITY_POLICY
from router.security_headers import SecurityHeadersConfig
from tests.router.safety.support import QUERY, fleet_client


async def test_every_response_carries_the_security_headers() -> None:
    async with fleet_client() as client:
        responses = [
            await client.post("/graphql", json={"query": QUERY}),
            await client.post(
                "/graphql", content=b"{", headers={"content-type": "application/json"}
            ),
            await client.get("/health"),
            await client.get("/nowhere"),
            await client.delete("/graphql"),
        ]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


async def test_graphiql_keeps_its_own_policy_which_forbids_framing() -> None:
    async with fleet_client() as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.headers.get_list("content-security-policy") == [CONTENT_SECURITY_POLICY]
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_configured_values_and_off() -> None:
    config = SecurityHeadersConfig(referrer_policy="same-origin")
    async with fleet_client(security_headers=config) as client:
        configured = await client.get("/health")
    async with fleet_client(security_headers=SecurityHeadersConfig(enabled=False)) as client:
        off = await client.get("/health")
    assert configured.headers["referrer-policy"] == "same-origin"
    assert "x-content-type-options" not in off.headers
