"""Where things are and what is installed: the repository, the Node peers, the machine.

The peers (the repository's pinned ``tools/peers``, or ``$PEERS_DIR`` as for the tests)
are optional: without ``node`` or their ``node_modules`` the run skips what needs them and
says so.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

__all__ = [
    "BENCH_DIR",
    "PEERS_DIR",
    "REPO_ROOT",
    "machine_description",
    "missing_peers_reason",
    "node_executable",
    "versions",
]

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
PEERS_DIR = Path(os.environ.get("PEERS_DIR") or REPO_ROOT / "tools" / "peers")
_PYTHON_PACKAGES = ("graphql-core", "strawberry-graphql", "starlette", "uvicorn", "httpx", "orjson")


def node_executable() -> str | None:
    return shutil.which("node")


def missing_peers_reason() -> str | None:
    """Why the Node peers cannot run here, or ``None`` when they can."""
    if node_executable() is None:
        return "node is not installed"
    if not (PEERS_DIR / "node_modules").is_dir():
        return f"{PEERS_DIR}/node_modules is missing (run npm ci there)"
    return None


def _command_output(argv: list[str]) -> str | None:
    try:
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_description() -> str:
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {memory_kib / 1024 / 1024:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}"
    )


def _peer_versions() -> dict[str, str]:
    lock = PEERS_DIR / "package-lock.json"
    if not lock.is_file():
        return {}
    packages = json.loads(lock.read_text()).get("packages", {})
    wanted = ("@apollo/gateway", "@graphql-hive/gateway-runtime", "autocannon")
    return {
        name: packages[f"node_modules/{name}"]["version"]
        for name in wanted
        if f"node_modules/{name}" in packages
    }


def versions(postgres_version: str | None) -> dict[str, str]:
    """Versions of everything measured or measuring, for the results header."""
    found = {"python": sys.version.split()[0]}
    for package in _PYTHON_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    node = node_executable()
    if node is not None:
        found["node"] = _command_output([node, "--version"]) or "unknown"
    found.update(_peer_versions())
    if postgres_version:
        found["postgresql"] = postgres_version
    return found
