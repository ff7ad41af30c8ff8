"""The two fleets of subgraphs the routers are measured in front of, and their supergraphs.

* The Node fleet (``tools/peers/fixtures/fleet.mjs``): fast in-memory subgraphs, so the
  router's own cost dominates.
* The project's five subgraphs on PostgreSQL, each its own process (with a statement counter,
  see :mod:`bench.counted_subgraph`).

Every router gets the same supergraph file, with the routing URLs rewritten to the ports of
this run (a graphql-core visitor over the ``join__Graph`` enum values).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from graphql import (
    ArgumentNode,
    DirectiveNode,
    StringValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from bench.environment import PEERS_DIR, REPO_ROOT, node_executable
from bench.processes import ManagedProcess, ProcessGroup, http_ready, log_line_ready

__all__ = [
    "FLEET_SUPERGRAPH",
    "PROJECT_DOMAINS",
    "PROJECT_SUPERGRAPH",
    "ProjectFleet",
    "project_supergraph",
    "rewrite_routing_urls",
    "start_node_fleet",
    "start_project_subgraph",
    "start_project_subgraphs",
    "write_supergraph",
]

FLEET_SUPERGRAPH = REPO_ROOT / "tests" / "fixtures" / "fleet" / "supergraph.graphql"
PROJECT_SUPERGRAPH = REPO_ROOT / "schema.graphql"
PROJECT_DOMAINS = ("customers", "products", "orders", "inventory", "marketing")


class _RoutingUrlRewriter(Visitor):
    def __init__(self, urls: Mapping[str, str]) -> None:
        super().__init__()
        self.urls = urls
        self.seen: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_: Any) -> DirectiveNode | None:
        if node.name.value != "join__graph":
            return None
        given = node.arguments or ()
        name = next((a.value for a in given if a.name.value == "name"), None)
        if not isinstance(name, StringValueNode) or name.value not in self.urls:
            return None
        self.seen.add(name.value)
        url = StringValueNode(value=self.urls[name.value])
        arguments = tuple(
            ArgumentNode(name=arg.name, value=url) if arg.name.value == "url" else arg
            for arg in given
        )
        return DirectiveNode(name=node.name, arguments=arguments)


def rewrite_routing_urls(supergraph_sdl: str, urls: Mapping[str, str]) -> str:
    """The supergraph with each subgraph's ``@join__graph(url:)`` replaced from ``urls``.

    Raises ValueError when ``urls`` names a subgraph the supergraph does not have."""
    rewriter = _RoutingUrlRewriter(urls)
    document = visit(parse(supergraph_sdl), rewriter)
    unknown = set(urls) - rewriter.seen
    if unknown:
        raise ValueError(f"subgraphs not in the supergraph: {sorted(unknown)}")
    return print_ast(document) + "\n"


def start_node_fleet(group: ProcessGroup, base_port: int) -> dict[str, str]:
    """Start the four Node subgraphs; returns their URLs by name (from the READY line)."""
    node = node_executable()
    if node is None:
        raise RuntimeError("node is not installed")
    process = group.start(
        "node-fleet",
        [node, str(PEERS_DIR / "fixtures" / "fleet.mjs"), "--base-port", str(base_port)],
        log_line_ready("READY"),
    )
    line = process.ready_line("READY") or ""
    return dict(item.split("=", 1) for item in line.split()[1:])


class ProjectFleet(NamedTuple):
    urls: dict[str, str]
    pids: dict[str, int]


def start_project_subgraphs(
    group: ProcessGroup,
    base_port: int,
    database_url: str,
    label: str,
    *,
    tuned: bool = False,
    env: Mapping[str, str] | None = None,
) -> ProjectFleet:
    """Start the five project subgraphs on ``database_url`` (``tuned``: see
    :mod:`bench.counted_subgraph`; ``env``: more environment, e.g. the identity secret)."""
    urls = {
        domain: f"http://127.0.0.1:{base_port + index}/graphql"
        for index, domain in enumerate(PROJECT_DOMAINS)
    }
    pids = {}
    for domain in urls:
        process = start_project_subgraph(
            group, urls, domain, database_url, f"{label}-{domain}", tuned=tuned, env=env
        )
        pids[domain] = process.pid
    return ProjectFleet(urls, pids)


def start_project_subgraph(
    group: ProcessGroup,
    urls: Mapping[str, str],
    domain: str,
    database_url: str,
    name: str,
    *,
    tuned: bool = False,
    env: Mapping[str, str] | None = None,
) -> ManagedProcess:
    """One subgraph of a project fleet whose subgraphs are at ``urls`` (also to bring one
    back after it was killed)."""
    peers = [f"--peer={peer}={url}" for peer, url in urls.items()]
    if tuned:
        peers.append("--tuned")
    url = urls[domain]
    port = url.rsplit(":", 1)[1].split("/")[0]
    return group.start(
        name,
        [sys.executable, "-m", "bench.counted_subgraph", domain, "--port", port, *peers],
        http_ready(url.replace("/graphql", "/ready")),
        env={**(env or {}), "DATABASE_URL": database_url},
        cwd=REPO_ROOT,
    )


def project_supergraph(urls: Mapping[str, str]) -> str:
    """``schema.graphql`` with this run's URLs; composed from the running subgraphs with
    Apollo composition (``compose.mjs``) when the repository has no ``schema.graphql`` yet."""
    if PROJECT_SUPERGRAPH.is_file():
        return rewrite_routing_urls(PROJECT_SUPERGRAPH.read_text(encoding="utf-8"), urls)
    node = node_executable()
    if node is None:
        raise RuntimeError("no schema.graphql and no node to compose one")
    completed = subprocess.run(
        [node, str(PEERS_DIR / "compose.mjs"), *(f"{name}={url}" for name, url in urls.items())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"composition failed: {completed.stderr.strip()}")
    return completed.stdout


def write_supergraph(directory: Path, name: str, sdl: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.graphql"
    path.write_text(sdl, encoding="utf-8")
    return path
