"""The router enforces schema.graphql's access directives before planning, over the five
domains in-process: null + one UNAUTHORIZED_FIELD_OR_TYPE error per removed path, the rest
runs; reject mode runs nothing; the policy hook decides @policy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Set
from pathlib import Path
from typing import Any

import pytest

from models.database import Database
from platform_cli.dev import Platform
from platform_cli.dev_credentials import dev_security
from router.authorization.config import AuthorizationConfig
from router.config import ConfigError, parse_config
from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest, RequestError, RequestErrorKind
from router.security.identity import ANONYMOUS, Identity, IdentityKind
from router.server import create_app
from subgraphs.mount import MountedTransport
from subgraphs.registry import DOMAINS
from tests.project_access import (
    STAFF,
    STAFF_HEADERS,
    TEST_CREDENTIALS,
    project_platform,
    router_client,
)

SUPERGRAPH = (Path(__file__).resolve().parents[3] / "schema.graphql").read_text(encoding="utf-8")
UNAUTHORIZED = {"code": "UNAUTHORIZED_FIELD_OR_TYPE"}
ORDERS_PARTNER = Identity(IdentityKind.PARTNER, client_id="acme", scopes=frozenset({"orders:read"}))


@pytest.fixture
async def platform(database: Database) -> AsyncIterator[Platform]:
    async with project_platform({name: database for name in DOMAINS}, SUPERGRAPH) as wired:
        yield wired


def _errors(body: dict[str, Any]) -> list[tuple[list[Any], Any]]:
    return [(e.get("path"), e["extensions"]) for e in body.get("errors", [])]


async def _run(router: Router, query: str, identity: Identity) -> dict[str, Any]:
    prepared = router.prepare(GraphQLRequest(query), identity)
    assert isinstance(prepared, PreparedOperation), prepared
    return await router.execute(prepared)


async def test_anonymous_gets_the_catalogue_and_null_for_the_rest(platform: Platform) -> None:
    async with router_client(platform.router_app, anonymous=True) as client:
        response = await client.post(
            "/graphql",
            json={"query": '{ product(id: "1") { id } someone: customer(id: "3") { email } }'},
        )
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"product": {"id": "1"}, "someone": None}
    assert body["errors"] == [
        {"message": "Unauthorized field or type", "path": ["someone"], "extensions": UNAUTHORIZED}
    ]


async def test_a_customer_token_reads_customer_fields_but_not_the_customer_list(
    platform: Platform,
) -> None:
    token = TEST_CREDENTIALS.customer_token(3)
    query = '{ customer(id: "3") { id } customers(first: 1) { totalCount } }'
    async with router_client(platform.router_app, anonymous=True) as client:
        response = await client.post(
            "/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"}
        )
    body = response.json()
    # customers is CustomerConnection!: its null takes data with it, as GraphQL requires
    assert body["data"] is None
    assert _errors(body) == [(["customers"], UNAUTHORIZED)]


async def test_scope_escalation_through_a_type_reached_from_an_allowed_field(
    platform: Platform,
) -> None:
    """A partner with orders:read reads orders, not the customers they lead to."""
    body = await _run(platform.router, '{ order(id: "1") { id status } }', ORDERS_PARTNER)
    assert "errors" not in body and body["data"]["order"]["id"] == "1"
    body = await _run(
        platform.router, '{ order(id: "1") { id customer { email } } }', ORDERS_PARTNER
    )
    # Order.customer is nullable (null for an erased customer): only it becomes null
    assert body == {
        "errors": [
            {
                "message": "Unauthorized field or type",
                "path": ["order", "customer"],
                "extensions": UNAUTHORIZED,
            }
        ],
        "data": {"order": {"id": "1", "customer": None}},
    }
    nested = "{ orders(first: 2) { nodes { id lines { quantity } customer { id } } } }"
    body = await _run(platform.router, nested, ORDERS_PARTNER)
    assert _errors(body) == [(["orders", "nodes", "@", "customer"], UNAUTHORIZED)]


async def test_the_default_policy_hook_grants_bulk_reads_to_staff_and_partner_keys(
    platform: Platform,
) -> None:
    query = "{ customers(first: 2) { nodes { id } } }"
    partner = Identity(IdentityKind.PARTNER, client_id="crm", scopes=frozenset({"customers:read"}))
    user = Identity(IdentityKind.USER, subject="9", scopes=frozenset({"customers:read"}))
    for identity in (STAFF, partner):
        body = await _run(platform.router, query, identity)
        assert "errors" not in body and len(body["data"]["customers"]["nodes"]) == 2
    body = await _run(platform.router, query, user)
    assert _errors(body) == [(["customers"], UNAUTHORIZED)]


async def test_mutations_without_the_scope_do_not_run(platform: Platform) -> None:
    mutation = 'mutation { updateOrderStatus(id: "1", status: PAID) { id } }'
    sent = platform.router.clients.requests_sent
    body = await _run(platform.router, mutation, ORDERS_PARTNER)
    assert _errors(body) == [(["updateOrderStatus"], UNAUTHORIZED)] and body["data"] is None
    assert platform.router.clients.requests_sent == sent


def _router(config: AuthorizationConfig, transport: MountedTransport) -> Router:
    return Router.from_supergraph_sdl(SUPERGRAPH, transport=transport, authorization=config)


async def test_reject_mode_refuses_the_whole_operation_and_runs_nothing(
    platform: Platform,
) -> None:
    router = _router(AuthorizationConfig(reject_unauthorized=True), platform.transport)
    try:
        query = '{ product(id: "1") { id } customer(id: "3") { id } }'
        refused = await router.prepare_async(GraphQLRequest(query), ANONYMOUS)
        assert isinstance(refused, RequestError)
        assert refused.kind is RequestErrorKind.UNAUTHORIZED
        assert [e["path"] for e in refused.errors] == [["customer"]]
        again = await router.prepare_async(GraphQLRequest(query), ANONYMOUS)  # cached refusal
        assert isinstance(again, RequestError)
        assert router.clients.requests_sent == 0
        allowed = await router.prepare_async(GraphQLRequest(query), STAFF)
        assert isinstance(allowed, PreparedOperation)
    finally:
        await router.aclose()


async def test_dry_run_reports_but_runs_everything(platform: Platform) -> None:
    router = _router(AuthorizationConfig(dry_run=True), platform.transport)
    try:
        body = await _run(router, '{ customer(id: "3") { id } }', ANONYMOUS)
        assert body["data"] == {"customer": {"id": "3"}}
        assert _errors(body) == [(["customer"], UNAUTHORIZED)]
    finally:
        await router.aclose()


def deny_everything(identity: Identity, policies: frozenset[str]) -> Set[str]:
    return set()


async def test_a_configured_policy_hook_decides(platform: Platform) -> None:
    hook = f"{__name__}:deny_everything"
    router = _router(AuthorizationConfig(policy_hook=hook), platform.transport)
    try:
        body = await _run(router, "{ customers(first: 1) { totalCount } }", STAFF)
        assert _errors(body) == [(["customers"], UNAUTHORIZED)]
    finally:
        await router.aclose()


def test_a_policy_hook_that_cannot_be_imported_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="no callable"):
        AuthorizationConfig(policy_hook="router.authorization.policies:nothing_here")


async def test_plans_are_shared_by_callers_with_the_same_relevant_grant(
    platform: Platform,
) -> None:
    router = platform.router
    public = GraphQLRequest('{ product(id: "2") { name } }')
    first = router.prepare(public, STAFF)
    second = router.prepare(public, ORDERS_PARTNER)
    assert isinstance(first, PreparedOperation) and isinstance(second, PreparedOperation)
    assert first.plan is second.plan  # no requirement in it: one plan for everyone


async def _http(router: Router, headers: dict[str, str], query: str) -> tuple[int, dict[str, Any]]:
    app = create_app(router, security=dev_security(TEST_CREDENTIALS))
    async with router_client(app, anonymous=True) as client:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.json()


async def test_reject_mode_over_http_is_403_with_every_path(platform: Platform) -> None:
    router = _router(AuthorizationConfig(reject_unauthorized=True), platform.transport)
    query = '{ customer(id: "3") { id } warehouses { code } }'
    status, body = await _http(router, {}, query)
    assert status == 403
    assert body == {
        "errors": [
            {"message": "Unauthorized field or type", "path": [p], "extensions": UNAUTHORIZED}
            for p in ("customer", "warehouses")
        ]
    }
    assert router.clients.requests_sent == 0
    status, body = await _http(router, STAFF_HEADERS, query)
    assert status == 200 and "errors" not in body


async def test_require_authentication_refuses_anonymous_requests(platform: Platform) -> None:
    router = _router(AuthorizationConfig(require_authentication=True), platform.transport)
    status, body = await _http(router, {}, '{ product(id: "1") { id } }')
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert router.clients.requests_sent == 0
    status, body = await _http(router, STAFF_HEADERS, '{ product(id: "1") { id } }')
    assert (status, body) == (200, {"data": {"product": {"id": "1"}}})


def test_router_yaml_names_a_bad_authorization_key() -> None:
    with pytest.raises(ConfigError, match=r"authorization\.reject_unauthorised: unknown key"):
        parse_config("authorization:\n  reject_unauthorised: true\n")
    config = parse_config("authorization:\n  reject_unauthorized: true\n")
    assert config.authorization.reject_unauthorized


async def test_the_policy_hook_is_asked_once_per_request(platform: Platform) -> None:
    calls: list[frozenset[str]] = []

    def counting(identity: Identity, policies: frozenset[str]) -> Set[str]:
        calls.append(policies)
        return policies

    router = _router(AuthorizationConfig(), platform.transport)
    router.authorizer.hook = counting
    try:
        request = GraphQLRequest("{ customers(first: 1) { totalCount } }")
        for _ in range(3):
            prepared = await router.prepare_async(request, STAFF)
            assert isinstance(prepared, PreparedOperation)
        assert calls == [frozenset({"customer_bulk_read"})] * 3
        public = await router.prepare_async(GraphQLRequest('{ product(id: "1") { id } }'), STAFF)
        assert isinstance(public, PreparedOperation) and len(calls) == 3  # no policy in it
    finally:
        await router.aclose()


async def test_authenticated_fields_need_any_credential(platform: Platform) -> None:
    query = '{ coupon(code: "C05-SAVE05") { code } }'
    anonymous = await _run(platform.router, query, ANONYMOUS)
    assert anonymous["data"] == {"coupon": None}
    assert _errors(anonymous) == [(["coupon"], UNAUTHORIZED)]
    customer = Identity(IdentityKind.USER, subject="3", scopes=frozenset({"customer"}))
    body = await _run(platform.router, query, customer)
    assert body == {"data": {"coupon": {"code": "C05-SAVE05"}}}
    partner = Identity(IdentityKind.PARTNER, client_id="acme", scopes=frozenset())
    assert await _run(platform.router, query, partner) == body
