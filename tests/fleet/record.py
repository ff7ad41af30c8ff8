"""Record Apollo Gateway's answers to the corpus, in front of the Node reference fleet.

    .venv/bin/python -m tests.fleet.record [--base-port 14401] [--gateway-port 14410]
                                           [--proxy-port 14415]

starts ``node tools/peers/fixtures/fleet.mjs`` and ``node gateway.mjs`` over
``tests/fixtures/fleet/supergraph.graphql`` with its routing URLs moved to a counting proxy
(:mod:`tests.fleet.proxy`) in front of the fleet's ports, POSTs every ``*.graphql`` of the
corpus (``accept``/``content-type: application/json``, header
``Apollo-Query-Plan-Experimental: 1``) and (re)writes the ``.expected.json``, ``.plan.json``
(Apollo's plan object, format ``internal``), ``.plan.txt`` (the same plan pretty-printed),
``apollo_fetches.json``, ``apollo_requests.json`` and ``apollo_status.json`` files. It stops
every process it started, also on failure. ``PEERS_DIR`` (env) points at another peers checkout.

Apollo Server adds ``extensions.stacktrace`` (Node source paths) to every error because
``NODE_ENV`` is not ``production`` (which would also turn introspection off); the recorder
drops that one key, nothing else.

The same pieces start Apollo Gateway in front of the Python fleet in ``test_fleet.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from tests.fleet.apps import fleet_urls
from tests.fleet.corpus import (
    CORPUS_DIR,
    FETCHES_FILE,
    REQUESTS_FILE,
    STATUS_FILE,
    load_queries,
)
from tests.fleet.proxy import CountingProxy, proxy_urls, serving
from tests.peers import PEERS_DIR, node_available

__all__ = [
    "PLAN_EXTENSION",
    "SUPERGRAPH_FILE",
    "ApolloAnswer",
    "apollo_gateway",
    "ask_apollo",
    "count_fetches",
    "main",
    "node_fleet",
    "python_fleet",
    "record_corpus",
    "started",
    "supergraph_for",
]

SUPERGRAPH_FILE = CORPUS_DIR.parent / "supergraph.graphql"
PLAN_EXTENSION = "__queryPlanExperimental"
READY_TIMEOUT_SECONDS = 60.0
_HEADERS = {"content-type": "application/json", "accept": "application/json"}
_PLAN_HEADER = "apollo-query-plan-experimental"
_PLAN_FORMAT_HEADER = "apollo-query-plan-experimental-format"
_GRAPH_URL = re.compile(r'(@join__graph\(name: "(\w+)", url: ")[^"]*(")')


class ApolloAnswer(NamedTuple):
    status: int
    body: dict[str, Any]
    plan: Any
    """The ``__queryPlanExperimental`` extension: a plan object, its text, or None."""


def supergraph_for(urls: Mapping[str, str], sdl: str | None = None) -> str:
    """The recorded supergraph with each subgraph's routing URL replaced by ``urls[name]``."""
    text = SUPERGRAPH_FILE.read_text(encoding="utf-8") if sdl is None else sdl
    return _GRAPH_URL.sub(lambda m: f"{m.group(1)}{urls[m.group(2)]}{m.group(3)}", text)


@contextlib.contextmanager
def started(args: Sequence[str], cwd: Path | None = None) -> Iterator[str]:
    """Run ``args`` until it prints ``READY ...``; yield the rest of that line; then stop it."""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            yield _wait_ready(process, stderr)
        finally:
            _stop(process)


def node_fleet(base_port: int) -> contextlib.AbstractContextManager[str]:
    script = PEERS_DIR / "fixtures" / "fleet.mjs"
    return started(["node", str(script), "--base-port", str(base_port)], cwd=PEERS_DIR)


def python_fleet(base_port: int) -> contextlib.AbstractContextManager[str]:
    project = Path(__file__).resolve().parents[2]
    args = [sys.executable, "-m", "tests.fleet", "--base-port", str(base_port)]
    return started(args, cwd=project)


@contextlib.contextmanager
def apollo_gateway(urls: Mapping[str, str], port: int) -> Iterator[str]:
    """Apollo Gateway over the supergraph routed to ``urls`` (by subgraph); yields its URL."""
    with tempfile.TemporaryDirectory() as tmp:
        supergraph = Path(tmp) / "supergraph.graphql"
        supergraph.write_text(supergraph_for(urls), encoding="utf-8")
        script = PEERS_DIR / "gateway.mjs"
        args = ["node", str(script), "--supergraph", str(supergraph), "--port", str(port)]
        with started(args, cwd=PEERS_DIR) as url:
            yield url


def ask_apollo(
    client: httpx.Client, url: str, request: Mapping[str, Any], plan_format: str = "internal"
) -> ApolloAnswer:
    """POST one GraphQL request body; split Apollo's plan and stack traces off the answer.

    ``plan_format`` is ``internal`` (the plan object) or ``prettified`` (its text).
    """
    headers = {**_HEADERS, _PLAN_HEADER: "1", _PLAN_FORMAT_HEADER: plan_format}
    response = client.post(url, headers=headers, json=request)
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or ():
        error.get("extensions", {}).pop("stacktrace", None)
    extensions = body.get("extensions")
    plan = None
    if isinstance(extensions, dict) and PLAN_EXTENSION in extensions:
        plan = extensions.pop(PLAN_EXTENSION)
        if not extensions:
            del body["extensions"]
    return ApolloAnswer(response.status_code, body, plan)


def count_fetches(node: object) -> int:
    """How many ``Fetch`` nodes a query plan (or any part of it) holds."""
    if isinstance(node, dict):
        own = 1 if node.get("kind") == "Fetch" else 0
        return own + sum(count_fetches(value) for value in node.values())
    if isinstance(node, list):
        return sum(count_fetches(value) for value in node)
    return 0


def record_corpus(
    gateway_url: str, proxy: CountingProxy, directory: Path = CORPUS_DIR
) -> dict[str, int]:
    """Ask Apollo every corpus query and write its answers; returns the statuses.

    ``proxy`` sits between Apollo and the fleet and counts the subgraph requests.
    """
    fetches: dict[str, int] = {}
    requests: dict[str, dict[str, int]] = {}
    statuses: dict[str, int] = {}
    with httpx.Client(timeout=30.0) as client:
        for query in load_queries(directory):
            before = proxy.requests.copy()
            answer = ask_apollo(client, gateway_url, query.request_body())
            requests[query.name] = dict(sorted((proxy.requests - before).items()))
            text = ask_apollo(client, gateway_url, query.request_body(), "prettified").plan
            _write_json(directory / f"{query.name}.expected.json", answer.body)
            _write_plan(directory / query.name, answer.plan, text)
            fetches[query.name] = count_fetches(answer.plan)
            statuses[query.name] = answer.status
    _write_json(directory / FETCHES_FILE, fetches)
    _write_json(directory / REQUESTS_FILE, requests)
    _write_json(directory / STATUS_FILE, statuses)
    return statuses


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fleet.record", description=__doc__)
    parser.add_argument("--base-port", type=int, default=14401)
    parser.add_argument("--gateway-port", type=int, default=14410)
    parser.add_argument("--proxy-port", type=int, default=14415)
    args = parser.parse_args(argv)
    if not node_available():
        raise SystemExit(f"needs node and {PEERS_DIR}/node_modules")
    upstreams = fleet_urls(args.base_port)
    proxy = CountingProxy(upstreams)
    routed = proxy_urls(upstreams, args.proxy_port)
    with (
        node_fleet(args.base_port),
        serving(proxy, args.proxy_port),
        apollo_gateway(routed, args.gateway_port) as url,
    ):
        statuses = record_corpus(url, proxy)
    print(f"recorded {len(statuses)} cases into {CORPUS_DIR}")


def _wait_ready(process: subprocess.Popen[str], stderr: Any) -> str:
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=READY_TIMEOUT_SECONDS)
        except queue.Empty:
            line = None
        if line is None:
            stderr.seek(0)
            detail = stderr.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{process.args!r} did not print READY:\n{detail}")
        if line.startswith("READY "):
            return line.removeprefix("READY ").strip()


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _write_plan(stem: Path, plan: object, text: object) -> None:
    json_file = stem.with_name(f"{stem.name}.plan.json")
    text_file = stem.with_name(f"{stem.name}.plan.txt")
    json_file.unlink(missing_ok=True)
    text_file.unlink(missing_ok=True)
    if plan is not None:
        _write_json(json_file, plan)
    if isinstance(text, str):
        text_file.write_text(text + "\n", encoding="utf-8")


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
