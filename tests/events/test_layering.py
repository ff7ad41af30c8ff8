"""``events`` is a platform layer beside ``models``: it never imports the subgraphs, the
router or the development platform (they import it)."""

from __future__ import annotations

import ast
from pathlib import Path

import events

FORBIDDEN = ("subgraphs", "router", "platform_cli", "bench", "tests")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_events_imports_no_upper_layer() -> None:
    package = Path(events.__file__).parent
    offending = {
        f"{path.name}: {name}"
        for path in package.rglob("*.py")
        for name in _imported(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert offending == set()
    assert len(list(package.rglob("*.py"))) >= 10
