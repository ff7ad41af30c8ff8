"""The audit log end to end: a router over the real subgraphs (signed identities, partner
keys), one record per request with a mutation or an unmasked personal-data read, the
subgraphs' reports never reaching the client, ``GET /audit`` and ``python -m router audit``."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from models.database import Database, open_database
from router.__main__ import main
from router.audit.config import AuditConfig
from router.audit.log import AuditLog
from router.audit.record import AuditRecord
from router.audit.store import AuditStore
from router.config import parse_config
from router.pipeline import Router
from router.security.middleware import security_from_config
from router.server import create_app
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.identity import IdentityVerifier
from subgraphs.common.peers import Peers
from subgraphs.mount import MountedTransport
from subgraphs.registry import DOMAINS
from tests.conftest import subgraph_url
from tests.router.audit.test_store import record

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema.graphql"
SECRET = "audit-tests-identity-secret-0123456789abcdef"
CUSTOMER_QUERY = 'query Customer360 { customer(id: "5") { id name email tier } }'


@dataclass
class Platform:
    client: httpx.AsyncClient
    audit: AuditLog
    keys: dict[str, tuple[str, str]]  # name -> (key, subject)

    async def post(self, key: str | None, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"authorization": f"ApiKey {self.keys[key][0]}"} if key else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def records(self, key: str) -> list[AuditRecord]:
        await self.audit.writer.flush()
        return list(await self.audit.store.list(subject=self.keys[key][1]))


@pytest.fixture
async def platform(database: Database, tmp_path: Path) -> AsyncIterator[Platform]:
    url = database.engine.url.render_as_string(hide_password=False)
    verifier = IdentityVerifier(SECRET, production=True)
    transport = MountedTransport()
    config = parse_config(
        f"identity_propagation:\n  secret: {SECRET}\n"
        f"api_keys:\n  enabled: true\n  database_url: {url}\n  cache_seconds: 0\n"
    )
    async with httpx.AsyncClient(transport=transport) as peers_client:
        peers = Peers(urls={name: subgraph_url(name) for name in DOMAINS}, client=peers_client)
        for name, domain in DOMAINS.items():
            app = create_subgraph_app(
                name,
                domain.schema,
                database,
                domain.metadata,
                peers,
                create_tables=False,
                identity=verifier,
            )
            transport.mount(subgraph_url(name), app)
        router = Router.from_supergraph_sdl(
            SUPERGRAPH.read_text(),
            transport=transport,
            subgraph_urls={name: subgraph_url(name) for name in DOMAINS},
        )
        security = security_from_config(config, environ={})
        audit = AuditLog.from_config(
            AuditConfig(enabled=True, database_url=url, spool_path=tmp_path / "spool.jsonl"), None
        )
        app = create_app(router, security=security, audit=audit)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://r") as client,
        ):
            store = security.authenticator.api_keys
            assert store is not None
            keys = {}
            for name, scopes in {
                "staff": ["staff"],
                "dpo": ["staff", "pii:read"],
                "auditor": ["audit:read"],
            }.items():
                issued = await store.create(f"{name}-{uuid.uuid4().hex[:6]}", scopes)
                keys[name] = (issued.key, f"apikey:{issued.record.key_id}")
            yield Platform(client, audit, keys)


async def test_a_masked_read_is_not_audited_and_reports_never_reach_the_client(
    platform: Platform,
) -> None:
    body = await platform.post("staff", CUSTOMER_QUERY)
    assert body["data"]["customer"]["email"].split("@")[0].endswith("***")
    assert "extensions" not in body
    assert await platform.records("staff") == []


async def test_an_unmasked_read_is_one_record_of_names_and_ids_only(platform: Platform) -> None:
    body = await platform.post("dpo", CUSTOMER_QUERY)
    customer = body["data"]["customer"]
    assert "***" not in customer["email"]
    assert "extensions" not in body
    [entry] = await platform.records("dpo")
    assert entry.operation_name == "Customer360"
    assert entry.operation_type == "query"
    assert entry.operation_sha256 == hashlib.sha256(CUSTOMER_QUERY.encode()).hexdigest()
    assert set(entry.fields) == {"Customer.name", "Customer.email"}
    assert entry.entities == (("Customer", "5"),)
    assert entry.client_id is not None and entry.client_id.startswith("dpo-")
    assert entry.outcome == "ok"
    stored = orjson.dumps(entry.as_json()).decode()
    assert customer["email"] not in stored and customer["name"] not in stored


async def test_every_mutation_is_recorded_with_its_ids_and_outcome(platform: Platform) -> None:
    update = (
        "mutation Retier($id: ID!) { updateCustomer(id: $id, input: {tier: GOLD}) { id tier } }"
    )
    done = await platform.post("staff", update, id="7")
    assert done["data"]["updateCustomer"]["tier"] == "GOLD"
    failed = await platform.post("staff", update, id="999999")
    assert failed["errors"]
    entries = await platform.records("staff")
    assert [(e.outcome, e.entities, e.fields) for e in reversed(entries)] == [
        ("ok", (("Customer", "7"),), ("Mutation.updateCustomer",)),
        ("error", (), ("Mutation.updateCustomer",)),
    ]
    assert entries[0].error_codes == ("NOT_FOUND",)


async def test_the_audit_endpoint_needs_audit_read(platform: Platform) -> None:
    await platform.post("dpo", CUSTOMER_QUERY)
    await platform.audit.writer.flush()
    anonymous = await platform.client.get("/audit")
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    staff = {"authorization": f"ApiKey {platform.keys['staff'][0]}"}
    forbidden = await platform.client.get("/audit", headers=staff)
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    auditor = {"authorization": f"ApiKey {platform.keys['auditor'][0]}"}
    subject = platform.keys["dpo"][1]
    listed = await platform.client.get(
        "/audit", params={"subject": subject, "limit": "10"}, headers=auditor
    )
    assert listed.status_code == 200
    [entry] = listed.json()["records"]
    assert entry["subject"] == subject
    assert set(entry["fields"]) == {"Customer.name", "Customer.email"}
    bad = await platform.client.get("/audit", params={"limit": "0"}, headers=auditor)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # no write path: the route answers GET only
    assert (await platform.client.delete("/audit", headers=auditor)).status_code == 405


def test_the_cli_lists_records_as_json_lines(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'router.db'}"
    subject = "cli-subject"

    async def append() -> None:
        database = open_database(url)
        store = AuditStore(database)
        await store.create_tables()
        await store.append([record(subject), record("other")])
        await database.dispose()

    asyncio.run(append())
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["audit", "--database-url", url, "list", "--subject", subject]) == 0
    lines = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [line["subject"] for line in lines] == [subject]
