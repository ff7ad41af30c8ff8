"""Trusted documents: a manifest's operations by id or text, the three modes, and modes per
client id of the caller's verified credential."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from router.config import parse_config
from router.operation_documents import OperationDocuments
from router.persisted_queries import sha256_hex
from router.pipeline import Router
from router.security.middleware import security_from_config
from router.server import create_app
from router.trusted_documents import (
    ManifestError,
    SafelistMode,
    TrustedDocuments,
    parse_manifest,
)
from tests.router.safety.support import QUERY, fleet_client, persisted
from tests.router.security.support import (
    WHOAMI_SUPERGRAPH,
    SigningKeys,
    config_text,
    whoami_subgraph,
    write_jwks,
)

LISTED = "query TopNames {\n  topProducts {\n    name\n  }\n}"
LISTED_ID = sha256_hex(LISTED)
UNLISTED = "{ topProducts { upc } }"


def manifest(*bodies: str) -> bytes:
    operations = [
        {"id": sha256_hex(body), "name": f"Op{index}", "type": "query", "body": body}
        for index, body in enumerate(bodies)
    ]
    document = {"format": "apollo-persisted-query-manifest", "version": 1}
    return json.dumps({**document, "operations": operations}).encode()


def documents(mode: SafelistMode, **clients: SafelistMode) -> OperationDocuments:
    return OperationDocuments(
        trusted=TrustedDocuments(parse_manifest(manifest(LISTED)), mode, clients)
    )


def code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_safelist_runs_listed_operations_by_id_and_by_text() -> None:
    async with fleet_client(documents(SafelistMode.SAFELIST)) as client:
        by_hash = await client.post("/graphql", json={"extensions": persisted(LISTED_ID)})
        by_document_id = await client.post("/graphql", json={"documentId": LISTED_ID})
        by_get = await client.get("/graphql", params={"documentId": LISTED_ID})
        reformatted = "# a comment\nquery TopNames { topProducts { name } }"
        by_text = await client.post("/graphql", json={"query": reformatted})
    for response in (by_hash, by_document_id, by_get, by_text):
        assert response.status_code == 200
        assert response.json()["data"]["topProducts"], response.json()


async def test_safelist_refuses_unknown_ids_and_unlisted_text() -> None:
    async with fleet_client(documents(SafelistMode.SAFELIST)) as client:
        unknown_id = await client.post("/graphql", json={"documentId": "nope"})
        unknown_hash = await client.post("/graphql", json={"extensions": persisted("ab" * 32)})
        unlisted = await client.post("/graphql", json={"query": UNLISTED})
        # registering an unlisted text through APQ is refused too, and nothing is stored
        digest = sha256_hex(UNLISTED)
        register = await client.post(
            "/graphql", json={"query": UNLISTED, "extensions": persisted(digest)}
        )
    assert (unknown_id.status_code, code(unknown_id)) == (400, "PERSISTED_QUERY_NOT_IN_LIST")
    assert (unknown_hash.status_code, code(unknown_hash)) == (400, "PERSISTED_QUERY_NOT_IN_LIST")
    assert (unlisted.status_code, code(unlisted)) == (400, "QUERY_NOT_IN_SAFELIST")
    assert (register.status_code, code(register)) == (400, "QUERY_NOT_IN_SAFELIST")


async def test_a_text_differing_from_the_listed_document_is_a_mismatch() -> None:
    async with fleet_client(documents(SafelistMode.SAFELIST)) as client:
        response = await client.post(
            "/graphql", json={"query": UNLISTED, "extensions": persisted(LISTED_ID)}
        )
    assert (response.status_code, code(response)) == (400, "PERSISTED_QUERY_HASH_MISMATCH")


async def test_log_unknown_runs_everything_and_logs_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, "router.trusted_documents"):
        async with fleet_client(documents(SafelistMode.LOG_UNKNOWN)) as client:
            listed = await client.post("/graphql", json={"query": LISTED})
            unlisted = await client.post("/graphql", json={"query": UNLISTED})
    assert listed.json()["data"] and unlisted.json()["data"]["topProducts"]
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1 and "upc" in warnings[0]


async def test_allow_all_runs_everything_and_still_resolves_ids() -> None:
    async with fleet_client(documents(SafelistMode.ALLOW_ALL)) as client:
        unlisted = await client.post("/graphql", json={"query": QUERY})
        by_id = await client.post("/graphql", json={"documentId": LISTED_ID})
        unknown = await client.post("/graphql", json={"documentId": "nope"})
    assert unlisted.json()["data"]["topProducts"]
    assert by_id.json()["data"]["topProducts"]
    assert code(unknown) == "PERSISTED_QUERY_NOT_IN_LIST"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[]", "'format'"),
        (b'{"format": "apollo-persisted-query-manifest", "version": 2}', "version"),
        (
            b'{"format": "apollo-persisted-query-manifest", "version": 1, '
            b'"operations": [{"id": "x", "type": "query"}]}',
            "operations[0]: 'body'",
        ),
        (b"{", "not valid JSON"),
    ],
)
def test_a_bad_manifest_is_refused_with_where(data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_manifest(data)


@asynccontextmanager
async def whoami_client(tmp_path: Path, keys: SigningKeys) -> AsyncIterator[httpx.AsyncClient]:
    listed = "query Me { whoami }"
    (tmp_path / "manifest.json").write_bytes(manifest(listed))
    config = parse_config(
        config_text(
            write_jwks(tmp_path / "jwks.json", keys),
            documents=(
                "trusted_documents:\n"
                f"  manifest: {tmp_path / 'manifest.json'}\n"
                "  mode: safelist\n"
                "  clients: {staff-graphiql: allow_all, partner-b: log_unknown}\n"
            ),
        )
    )
    router = Router.from_supergraph_sdl(
        WHOAMI_SUPERGRAPH, transport=httpx.ASGITransport(whoami_subgraph())
    )
    app = create_app(
        router,
        security=security_from_config(config, environ={}),
        documents=OperationDocuments.from_config(config.apq, config.trusted_documents),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://router") as client,
    ):
        yield client


async def test_modes_per_client_id_of_the_verified_credential(tmp_path: Path) -> None:
    keys = SigningKeys()
    free_form = {"query": "{ whoami }"}
    async with whoami_client(tmp_path, keys) as client:

        async def as_client(client_id: str | None) -> httpx.Response:
            headers = {}
            if client_id is not None:
                headers["authorization"] = f"Bearer {keys.rs256(client_id=client_id)}"
            return await client.post("/graphql", json=free_form, headers=headers)

        staff = await as_client("staff-graphiql")
        partner = await as_client("partner-a")
        logged = await as_client("partner-b")
        anonymous = await as_client(None)
        listed = await client.post(
            "/graphql",
            json={"query": "query Me { whoami }"},
            headers={"authorization": f"Bearer {keys.rs256(client_id='partner-a')}"},
        )
    assert json.loads(staff.json()["data"]["whoami"])["client_id"] == "staff-graphiql"
    assert json.loads(logged.json()["data"]["whoami"])["client_id"] == "partner-b"
    assert (partner.status_code, code(partner)) == (400, "QUERY_NOT_IN_SAFELIST")
    assert (anonymous.status_code, code(anonymous)) == (400, "QUERY_NOT_IN_SAFELIST")
    assert json.loads(listed.json()["data"]["whoami"])["client_id"] == "partner-a"


def test_the_config_refuses_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match=r"trusted_documents\.mode"):
        parse_config("trusted_documents:\n  mode: strict\n")
