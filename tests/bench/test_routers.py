from __future__ import annotations

import sys
from pathlib import Path

from bench.environment import PEERS_DIR
from bench.routers import CONTENDERS, OURS


def test_our_router_runs_from_this_python_without_graphiql() -> None:
    argv = OURS.argv(Path("/tmp/supergraph.graphql"), 14799)
    assert argv[:4] == [sys.executable, "-m", "router", "serve"]
    assert argv[argv.index("--port") : argv.index("--port") + 2] == ["--port", "14799"]
    assert "--no-graphiql" in argv
    assert not OURS.needs_node


def test_peers_run_their_script_on_the_same_supergraph() -> None:
    apollo, hive = CONTENDERS[1:]
    for contender, script in ((apollo, "gateway.mjs"), (hive, "hive.mjs")):
        argv = contender.argv(Path("/tmp/supergraph.graphql"), 14798)
        assert contender.needs_node
        assert argv[1] == str(PEERS_DIR / script)
        assert argv[2:] == ["--supergraph", "/tmp/supergraph.graphql", "--port", "14798"]
