"""The hostile-query corpus through the real router app (the project's supergraph, its five
subgraphs in-process on the test database, demand control enforced, batching on): each
document is refused with its code and status, refusing it costs a bounded share of a
normal request's work, and a normal query answered alongside a stream of them keeps its
latency. Work is counted as process CPU time (every thread: the event loop, the planning
thread, the database's), compared with a normal request measured in the same test."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from models.database import Database
from router.config import RouterConfig, parse_config
from router.limits import OperationLimits
from router.operation_documents import OperationDocuments
from router.pipeline import Router
from router.server import create_app
from subgraphs.common.peers import Peers
from subgraphs.mount import MountedTransport
from subgraphs.registry import DOMAINS, local_url
from subgraphs.registry import create_app as create_subgraph_app
from tests.router.hostile.corpus import Case, load_corpus

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema.graphql"
CASES = load_corpus()
CONFIG = """
demand_control: {enabled: true, mode: enforce, max: 1000}
batching: {enabled: true, max_size: 10}
"""
NORMAL = orjson.dumps(
    {
        "query": "query Catalogue { products(first: 5) { nodes { id name price { amount currency }"
        " inStock shippingEstimate { days } relatedProducts(first: 2) { name } } } }"
    }
)
HEADERS = {"content-type": "application/json", "accept": "application/graphql-response+json"}


def operation_limits(config: RouterConfig) -> OperationLimits:
    """As ``python -m router serve`` reads ``limits:`` (0 turns a limit off)."""
    values = config.limits.model_dump()
    warn_only = values.pop("warn_only")
    return OperationLimits(
        **{name: value or None for name, value in values.items()}, warn_only=warn_only
    )


@pytest.fixture(scope="module")
async def client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    config = parse_config(CONFIG)
    transport = MountedTransport()
    async with httpx.AsyncClient(transport=transport, timeout=30.0) as peer_client:
        peers = Peers(urls={name: local_url(name) for name in DOMAINS}, client=peer_client)
        for name in DOMAINS:
            app = create_subgraph_app(name, database, peers, create_tables=False)
            transport.mount(local_url(name), app)
        router = Router.from_supergraph_sdl(
            SUPERGRAPH.read_text(encoding="utf-8"),
            transport=transport,
            limits=operation_limits(config),
            demand_control=config.demand_control,
        )
        app = create_app(
            router,
            documents=OperationDocuments.from_config(config.apq, config.trusted_documents),
            batching=config.batching,
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://r") as client,
        ):
            yield client


async def post(client: httpx.AsyncClient, body: bytes) -> httpx.Response:
    return await client.post("/graphql", content=body, headers=HEADERS)


@dataclass(frozen=True, slots=True)
class Measured:
    response: httpx.Response
    cpu: float  # seconds of process CPU time
    wall: float


def _serving_threads() -> dict[int, float]:
    """CPU seconds so far of each thread that serves a request: the event loop's (this
    one), the router's planning thread and asyncio's default executor (response shaping).
    Not the whole process: a background thread another test left behind (a broker client,
    a log writer) must not count against the router."""
    clocks = {}
    for thread in threading.enumerate():
        serving = thread is threading.current_thread() or thread.name.startswith(
            ("router-planning", "asyncio_")
        )
        if serving and thread.ident is not None:
            with contextlib.suppress(OSError):  # it ended meanwhile
                clocks[thread.ident] = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    return clocks


def _cpu_since(before: dict[int, float]) -> float:
    after = _serving_threads()
    return sum(now - before.get(ident, 0.0) for ident, now in after.items())


async def measured(request: Awaitable[httpx.Response]) -> Measured:
    cpu, wall = _serving_threads(), time.perf_counter()
    response = await request
    return Measured(response, _cpu_since(cpu), time.perf_counter() - wall)


async def normal_request(client: httpx.AsyncClient) -> Measured:
    answer = await measured(post(client, NORMAL))
    assert answer.response.status_code == 200
    body = answer.response.json()
    assert "errors" not in body and len(body["data"]["products"]["nodes"]) == 5, body
    return answer


def json_decoding(body: bytes) -> float:
    """CPU seconds ``orjson`` takes to decode ``body`` (the best of three)."""
    times = []
    for _ in range(3):
        started = time.thread_time()
        with contextlib.suppress(orjson.JSONDecodeError):
            orjson.loads(body)
        times.append(time.thread_time() - started)
    return min(times)


def test_the_corpus_covers_every_kind_of_attack() -> None:
    assert len(CASES) >= 30
    kinds = {case.name.split("-")[0] for case in CASES}
    expected_kinds = {"deep", "wide", "alias", "directive", "fragment", "giant", "many"}
    assert expected_kinds | {"cost", "batch", "token", "huge"} <= kinds
    assert len({case.body for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_each_hostile_document_is_refused_with_its_code(
    client: httpx.AsyncClient, case: Case
) -> None:
    response = await post(client, case.body)
    expected = case.expected
    assert response.status_code == expected.status, response.text[:500]
    body = response.json()
    if expected.items:
        assert isinstance(body, list) and len(body) == expected.items
        codes = {error["extensions"]["code"] for item in body for error in item["errors"]}
        assert all("data" not in item or item["data"] is None for item in body)
    else:
        codes = {error["extensions"]["code"] for error in body["errors"]}
        assert body.get("data") is None
    assert codes == {expected.code}
    assert len(response.content) < 64 * 1024  # nothing echoed whole


async def test_refusing_costs_a_bounded_share_of_a_normal_request(
    client: httpx.AsyncClient,
) -> None:
    """Each document the first time (a text no cache has seen) and again (as an attacker
    repeats it), against the CPU time of one normal request measured alongside. Decoding
    a request's JSON body is not counted again: it is the same for any body of that size
    (about 7 ns a byte, up to the 2 MB the router reads)."""
    await normal_request(client)  # plans and caches it, as in steady traffic
    first: dict[str, float] = {}
    again: dict[str, float] = {}
    normal: list[float] = []
    for serial, case in enumerate(CASES, start=1):
        body = case.variant(serial)
        first[case.name] = (await measured(post(client, body))).cpu
        resent = min([(await measured(post(client, body))).cpu for _ in range(3)])
        again[case.name] = max(0.0, resent - json_decoding(body))
        normal.append((await normal_request(client)).cpu)
    typical = statistics.median(normal)
    report = {
        name: f"{first[name] / typical:.2f} then {again[name] / typical:.3f}" for name in first
    }
    print(f"normal request: {typical * 1000:.1f} ms CPU; each attack in normal requests:")
    print("\n".join(f"  {name}: {ratio}" for name, ratio in report.items()))
    # a repeated hostile document is refused from the caches: under a fifth of a normal one
    assert max(again.values()) < 0.2 * typical, report
    # the first time: the size and token limits are checked before graphql-core lexes a
    # thing, so the worst (a document within them that its parser must read) stays within
    # a few normal requests (about 1 measured), and the typical one is a fraction of one
    assert max(first.values()) < 3 * typical, report
    assert statistics.median(first.values()) < 0.5 * typical, report


async def test_a_normal_query_keeps_its_latency_beside_a_hostile_stream(
    client: httpx.AsyncClient,
) -> None:
    """One hostile request from the corpus beside each normal one (a client sending as
    fast as the normal one, cycling through every attack it has sent once already),
    compared with the normal query alone, alternately, in the same test."""
    for case in CASES:  # the attacker's first pass
        await post(client, case.body)
    await normal_request(client)
    alone: list[float] = []
    beside: list[float] = []
    for round_number in range(3 * len(CASES)):
        hostile = CASES[round_number % len(CASES)].body

        async def normal_beside_hostile(hostile: bytes = hostile) -> float:
            answer, _ = await asyncio.gather(normal_request(client), post(client, hostile))
            return answer.wall

        if round_number % 2:
            alone.append((await normal_request(client)).wall)
            beside.append(await normal_beside_hostile())
        else:
            beside.append(await normal_beside_hostile())
            alone.append((await normal_request(client)).wall)
    typical, slowed = statistics.median(alone), statistics.median(beside)
    print(f"normal query alone {typical * 1000:.1f} ms, beside an attack {slowed * 1000:.1f} ms")
    assert slowed < 1.2 * typical, (typical, slowed)  # not slowed by more than 20%
