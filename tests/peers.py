"""Where Apollo's and Hive's reference tools live, and the marker for tests that need them.

The project never needs Node; a few optional tests compare against the industry's own
implementations when ``../shared/peers`` (or ``$PEERS_DIR``) has them installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["PEERS_DIR", "REPOSITORY", "needs_node", "node_available"]

REPOSITORY = Path(__file__).resolve().parents[1]
PEERS_DIR = Path(os.environ.get("PEERS_DIR") or REPOSITORY.parent / "shared" / "peers")


def node_available() -> bool:
    """Whether Node and the installed peers are there to run Apollo's tools."""
    return shutil.which("node") is not None and (PEERS_DIR / "node_modules").is_dir()


needs_node = pytest.mark.skipif(not node_available(), reason=f"needs node and {PEERS_DIR}")
