"""The hostile-query corpus: one YAML file per attack in ``corpus/``, kept small by
building the repetitive part of each request from a rule.

A file reads::

    about: what the attack does (one line)
    query: [ "{ products { nodes { ", {repeat: "relatedProducts { ", times: 1000}, "id", ... ]
    variables: {n: 100}                 # optional
    expect: {status: 400, code: MAX_DEPTH_LIMIT}

``query`` is a string or a list of parts; a part is a string or ``{repeat: TEXT, times: N}``
where ``%i`` in TEXT is the repetition's index and ``%n`` the next one (fragment chains).
Instead of ``query``, ``batch: {times: N, operation: {query: ...}}`` sends a JSON array of N
operations, and ``body`` (parts) sends raw bytes as the JSON request body. A batch answered
200 lists its operations' codes in ``expect.items`` (all the same: one code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

__all__ = ["CORPUS", "Case", "Expected", "load_corpus"]

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True, slots=True)
class Expected:
    status: int
    code: str
    items: int = 0  # a batch answered 200: its operations, each refused with ``code``


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    about: str
    body: bytes  # the POST body (JSON)
    expected: Expected

    def variant(self, serial: int) -> bytes:
        """The same attack with a different text (a comment appended to each query), so
        that no cache of the router has seen it."""
        marker = f"\\n# {serial}".encode()
        return self.body.replace(b'"query":"', b'"query":"' + marker, -1) if serial else self.body


def _text(parts: Any) -> str:
    if isinstance(parts, str):
        return parts
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        text, times = part["repeat"], int(part["times"])
        if "%i" in text or "%n" in text:
            pieces.extend(
                text.replace("%i", str(i)).replace("%n", str(i + 1)) for i in range(times)
            )
        else:
            pieces.append(text * times)
    return "".join(pieces)


def _operation(spec: Mapping[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"query": _text(spec["query"])}
    for key in ("variables", "operationName", "extensions"):
        if key in spec:
            operation[key] = spec[key]
    return operation


def _body(spec: Mapping[str, Any]) -> bytes:
    if "body" in spec:
        return _text(spec["body"]).encode()
    if "batch" in spec:
        batch = spec["batch"]
        return orjson.dumps([_operation(batch["operation"])] * int(batch["times"]))
    return orjson.dumps(_operation(spec))


def load_corpus(directory: Path = CORPUS) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        expected = Expected(**spec["expect"])
        cases.append(Case(path.stem, spec["about"], _body(spec), expected))
    return cases
