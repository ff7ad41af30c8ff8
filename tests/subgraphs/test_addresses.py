"""Where a subgraph finds its peers: --peer, then SUBGRAPH_URL_<NAME>, then supergraph.yaml;
a peer nowhere is an error at start-up that says what to set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from subgraphs.addresses import MissingPeer, environment_variable, peer_urls
from subgraphs.registry import DOMAINS

REPOSITORY = Path(__file__).resolve().parents[2]
CALLS = DOMAINS["orders"].calls


def test_the_config_file_gives_every_peer() -> None:
    urls = peer_urls("orders", CALLS, environ={}, config=REPOSITORY / "supergraph.yaml")
    assert urls == {
        "customers": "http://127.0.0.1:4001/graphql",
        "products": "http://127.0.0.1:4002/graphql",
        "inventory": "http://127.0.0.1:4004/graphql",
        "marketing": "http://127.0.0.1:4005/graphql",
    }


def test_environment_over_config_and_flags_over_both() -> None:
    environ = {"SUBGRAPH_URL_PRODUCTS": "http://products:8080/graphql"}
    urls = peer_urls(
        "orders",
        CALLS,
        overrides=["customers=http://c.internal/graphql"],
        environ=environ,
        config=REPOSITORY / "supergraph.yaml",
    )
    assert urls["customers"] == "http://c.internal/graphql"
    assert urls["products"] == "http://products:8080/graphql"
    assert urls["inventory"] == "http://127.0.0.1:4004/graphql"


def test_a_missing_peer_names_what_to_set() -> None:
    environ = {environment_variable(name): f"http://{name}/graphql" for name in CALLS}
    del environ["SUBGRAPH_URL_MARKETING"]
    with pytest.raises(MissingPeer, match=r"orders calls marketing.*SUBGRAPH_URL_MARKETING=URL"):
        peer_urls("orders", CALLS, environ=environ)


@pytest.mark.parametrize(
    ("flag", "message"),
    [("products", "NAME=URL"), ("=http://x", "NAME=URL"), ("orders=http://x", "does not call")],
)
def test_bad_peer_flags(flag: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        peer_urls("orders", CALLS, overrides=[flag], environ={})


def test_serve_refuses_to_start_without_a_peer(tmp_path: Path) -> None:
    """No supergraph.yaml in the working directory and no variables: one clear line."""
    result = subprocess.run(
        [sys.executable, "-m", "subgraphs", "serve", "orders", "--port", "1"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "python -m subgraphs serve: error: orders calls customers, whose URL is not "
        "configured: set SUBGRAPH_URL_CUSTOMERS=URL or pass --peer customers=URL"
    )
    assert "Traceback" not in result.stderr
