"""The router against the recorded corpus: same JSON as Apollo Gateway, no more fetches.

The fleet runs in-process (``tests.fleet.apps``); Apollo Gateway's answers and fetch counts
were recorded by ``tests.fleet.record``, so this test needs no Node. Where Apollo's recorded
answer is wrong (``APOLLO_BUGS``), the router must give the corrected answer instead.
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


def _products(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"topProducts": list(rows)}}


# Cases where Apollo Gateway's recorded answer is wrong, with the correct body. Both come from
# a field the planner adds (an entity key, a ``@requires`` field) sharing a response key with
# a client alias; the router fetches its own field under an internal alias instead
# (``router.planning.internal_aliases``). Products: 1 Table (price 899, weight 100),
# 2 Couch (1299, 1000), 3 Chair (54, 50).
APOLLO_BUGS: dict[str, dict[str, Any]] = {
    # ``{ topProducts { upc: name inStock } }``: the key ``upc`` fetched for the inventory
    # entity fetch evicts the client's ``upc: name``, so Apollo answers the upc ("1").
    "158-alias-key-on-root-fetch": _products(
        {"upc": "Table", "inStock": True},
        {"upc": "Couch", "inStock": False},
        {"upc": "Chair", "inStock": True},
    ),
    # ``{ topProducts { weight: price price: weight shippingEstimate } }``: Apollo builds the
    # representation's ``price``/``weight`` from the client's aliases (swapped), so it answers
    # half the price (450 for the Table). The rule (``tests.fleet.inventory``): 0 above a
    # price of 1000, else half the weight.
    "043-requires-price-aliased-as-weight": _products(
        {"weight": 899, "price": 100, "shippingEstimate": 50},
        {"weight": 1299, "price": 1000, "shippingEstimate": 0},
        {"weight": 54, "price": 50, "shippingEstimate": 25},
    ),
}
# The fields (last response key) where each corrected body differs from Apollo's recording.
APOLLO_WRONG_FIELDS = {
    "158-alias-key-on-root-fetch": {"upc"},
    "043-requires-price-aliased-as-weight": {"shippingEstimate"},
}


@functools.cache
def _supergraph() -> Supergraph:
    return Supergraph.from_sdl((CORPUS_DIR.parent / "supergraph.graphql").read_text())


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


def _last_key(path: tuple[str | int, ...]) -> str:
    keys = [key for key in path if isinstance(key, str)]
    return keys[-1] if keys else "<root>"


def _differences(recorded: Any, corrected: Any, path: tuple[str | int, ...] = ()) -> set[str]:
    """The last response key of every place where two bodies differ."""
    if (
        isinstance(recorded, dict)
        and isinstance(corrected, dict)
        and list(recorded) == list(corrected)
    ):
        pairs: list[tuple[str | int, Any, Any]] = [(k, recorded[k], corrected[k]) for k in recorded]
    elif (
        isinstance(recorded, list)
        and isinstance(corrected, list)
        and len(recorded) == len(corrected)
    ):
        pairs = [(i, item, corrected[i]) for i, item in enumerate(recorded)]
    else:
        same = recorded == corrected and type(recorded) is type(corrected)
        return set() if same else {_last_key(path)}
    found: set[str] = set()
    for key, left, right in pairs:
        found |= _differences(left, right, (*path, key))
    return found


@pytest.mark.parametrize("name", sorted(APOLLO_BUGS))
def test_apollo_bugs_differ_only_on_their_fields(name: str) -> None:
    recorded = next(case.expected for case in CASES if case.name == name)
    assert _differences(recorded, APOLLO_BUGS[name]) == APOLLO_WRONG_FIELDS[name]


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
    expected = APOLLO_BUGS.get(case.name, case.expected)
    assert json.dumps(_as_recorded(body), indent=1) == json.dumps(expected, indent=1)
    sent = sum(transport.requests.values())
    assert sent <= case.apollo_fetches
    if isinstance(prepared, PreparedOperation):
        assert count_fetches(prepared.plan.node) <= case.apollo_fetches, router.explain(prepared)
