"""Where Apollo's and Hive's reference tools live, and the marker for tests that need them.

The project never needs Node; the comparison tests run the industry's own implementations
from the repository's pinned copy in ``tools/peers`` (``make peers`` installs it from its
lockfile; ``$PEERS_DIR`` points at another checkout). Without Node they are skipped, and the
test summary says why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.peer_supergraph import without_access_control

__all__ = ["PEERS_DIR", "REPOSITORY", "needs_node", "node_available", "without_access_control"]

REPOSITORY = Path(__file__).resolve().parents[1]
PEERS_DIR = Path(os.environ.get("PEERS_DIR") or REPOSITORY / "tools" / "peers")


def node_available() -> bool:
    """Whether Node and the installed peers are there to run Apollo's tools."""
    return shutil.which("node") is not None and (PEERS_DIR / "node_modules").is_dir()


needs_node = pytest.mark.skipif(
    not node_available(), reason=f"needs node and `make peers` ({PEERS_DIR}/node_modules)"
)
