"""The README's shell blocks, each with the ``<!-- readme-check: KIND -->`` marker before it.

``dev``: run as written against a dev platform (``make demo``), port moved;
``production``: run by ``tests/test_production_shape.py``;
``skip (reason)``: set-up or minutes-long commands, said why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["README", "ShellBlock", "shell_blocks"]

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- readme-check: (?P<kind>[^>]*?) -->\n)?```bash\n(?P<body>.*?)```", re.S
)


@dataclass(frozen=True, slots=True)
class ShellBlock:
    kind: str  # "dev", "production", "skip (...)" or "" (no marker)
    body: str
    line: int

    def with_ports(self, ports: dict[int, int]) -> str:
        """The block with each documented port (4000-4005) replaced by a test port."""
        return re.sub(r"\b(400[0-5])\b", lambda match: str(ports[int(match[1])]), self.body)


def shell_blocks(text: str | None = None) -> list[ShellBlock]:
    text = README.read_text(encoding="utf-8") if text is None else text
    return [
        ShellBlock(match["kind"] or "", match["body"], text.count("\n", 0, match.start()) + 1)
        for match in _BLOCK.finditer(text)
    ]
