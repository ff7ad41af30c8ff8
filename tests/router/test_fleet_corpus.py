"""The router against the recorded corpus: same JSON as Apollo Gateway, no more fetches.

The fleet runs in-process (``tests.fleet.apps``); Apollo Gateway's answers and fetch counts
were recorded by ``tests.fleet.record``, so this test needs no Node.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from router.pipeline import PreparedOperation, Router
from router.plan import count_fetches
from router.request import GraphQLRequest, RequestError
from router.subgraph_client import SubgraphClients
from router.supergraph import Supergraph
from tests.fleet.apps import fleet_transport, fleet_urls
from tests.fleet.corpus import CORPUS_DIR, CorpusCase, load_corpus

CASES = load_corpus()

# The recorder asks Apollo for its plan (header ``Apollo-Query-Plan-Experimental``), and
# Apollo Gateway then replaces the response ``extensions`` with the plan: the
# ``valueCompletion`` errors it sends otherwise (checked live: ``{ me { __typename: name } }``
# answers ``"extensions": {"valueCompletion": [...]}``) are missing from the recordings.
RECORDING_DROPS_EXTENSIONS = "valueCompletion"
# ``RequestErrorKind.OPERATION_NOT_FOUND`` answers code OPERATION_RESOLUTION_FAILURE (the
# server contract, Apollo Router's code); Apollo Gateway says INVALID_GRAPHQL.
GATEWAY_CODES = {"OPERATION_RESOLUTION_FAILURE": "INVALID_GRAPHQL"}


@functools.cache
def _supergraph() -> Supergraph:
    return Supergraph.from_sdl((CORPUS_DIR.parent / "supergraph.graphql").read_text())


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


def _as_recorded(body: dict[str, Any]) -> dict[str, Any]:
    extensions = body.get("extensions")
    if isinstance(extensions, dict):
        extensions.pop(RECORDING_DROPS_EXTENSIONS, None)
        if not extensions:
            del body["extensions"]
    for error in body.get("errors") or ():
        code = error.get("extensions", {}).get("code")
        if code in GATEWAY_CODES:
            error["extensions"]["code"] = GATEWAY_CODES[code]
    return body


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_same_answer_as_apollo(case: CorpusCase) -> None:
    transport = fleet_transport()
    router = Router(_supergraph(), SubgraphClients(fleet_urls(), transport=transport), 8)
    try:
        request = GraphQLRequest(case.query, case.operation_name, case.variables)
        prepared = router.prepare(request)
        if isinstance(prepared, RequestError):
            body: dict[str, Any] = {"errors": [dict(e) for e in prepared.errors]}
        else:
            assert isinstance(prepared, PreparedOperation)
            body = await router.execute(prepared)
    finally:
        await router.aclose()
    assert json.dumps(_as_recorded(body), indent=1) == json.dumps(case.expected, indent=1)
    sent = sum(transport.requests.values())
    assert sent <= case.apollo_fetches
    if isinstance(prepared, PreparedOperation):
        assert count_fetches(prepared.plan.node) <= case.apollo_fetches, router.explain(prepared)
