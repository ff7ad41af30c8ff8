"""The recorded query corpus: queries against the fleet with Apollo Gateway's answers.

Each case in ``tests/fixtures/fleet/corpus/`` is ``NNN-short-name.graphql`` (the query
text, sent verbatim; a first line ``# operationName: X`` names the operation to run), an
optional ``NNN-short-name.variables.json``, ``NNN-short-name.expected.json`` (Apollo
Gateway's response body, key order kept) and, when Apollo planned the operation,
``NNN-short-name.plan.json`` (+ ``.plan.txt``, the same plan pretty-printed).
``apollo_fetches.json``, ``apollo_requests.json`` and ``apollo_status.json`` map each case
name to the number of ``Fetch`` nodes in Apollo's plan (an upper bound), to the requests
Apollo really sent each subgraph, and to its HTTP status. The files are written by
:mod:`tests.fleet.record`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CORPUS_DIR",
    "FETCHES_FILE",
    "REQUESTS_FILE",
    "STATUS_FILE",
    "CorpusCase",
    "CorpusQuery",
    "load_corpus",
    "load_queries",
]

CORPUS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "fleet" / "corpus"
FETCHES_FILE = "apollo_fetches.json"
REQUESTS_FILE = "apollo_requests.json"
STATUS_FILE = "apollo_status.json"

_OPERATION_NAME = re.compile(r"\A#\s*operationName:\s*(\S+)")


@dataclass(frozen=True, slots=True)
class CorpusQuery:
    """One request of the corpus, as sent to a router."""

    name: str
    query: str
    variables: Mapping[str, Any] | None
    operation_name: str | None

    def request_body(self) -> dict[str, Any]:
        """The GraphQL-over-HTTP JSON body of this request."""
        body: dict[str, Any] = {"query": self.query}
        if self.variables is not None:
            body["variables"] = self.variables
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        return body


@dataclass(frozen=True, slots=True)
class CorpusCase:
    """A corpus request with what Apollo Gateway answered for it."""

    name: str
    query: str
    variables: Mapping[str, Any] | None
    operation_name: str | None
    expected: dict[str, Any]
    apollo_fetches: int
    apollo_status: int
    apollo_plan: Mapping[str, Any] | None = None
    apollo_requests: Mapping[str, int] = field(default_factory=dict)
    """Requests Apollo sent per subgraph name (subgraphs it did not call are absent)."""

    @property
    def apollo_request_count(self) -> int:
        """All subgraph requests Apollo sent for this case."""
        return sum(self.apollo_requests.values())

    def request_body(self) -> dict[str, Any]:
        """The GraphQL-over-HTTP JSON body of this request."""
        return _as_query(self).request_body()


def load_queries(directory: Path = CORPUS_DIR) -> list[CorpusQuery]:
    """The corpus requests (without recorded answers), sorted by name."""
    return [_load_query(path) for path in sorted(directory.glob("*.graphql"))]


def load_corpus(directory: Path = CORPUS_DIR) -> list[CorpusCase]:
    """Every corpus case with Apollo's recorded answer, sorted by name."""
    fetches = _read_json(directory / FETCHES_FILE)
    statuses = _read_json(directory / STATUS_FILE)
    requests = _read_optional_json(directory / REQUESTS_FILE) or {}
    return [
        CorpusCase(
            name=query.name,
            query=query.query,
            variables=query.variables,
            operation_name=query.operation_name,
            expected=_read_json(directory / f"{query.name}.expected.json"),
            apollo_fetches=fetches[query.name],
            apollo_status=statuses[query.name],
            apollo_plan=_read_optional_json(directory / f"{query.name}.plan.json"),
            apollo_requests=requests.get(query.name, {}),
        )
        for query in load_queries(directory)
    ]


def _load_query(path: Path) -> CorpusQuery:
    name = path.name.removesuffix(".graphql")
    text = path.read_text(encoding="utf-8")
    match = _OPERATION_NAME.match(text)
    return CorpusQuery(
        name=name,
        query=text,
        variables=_read_optional_json(path.with_name(f"{name}.variables.json")),
        operation_name=match.group(1) if match else None,
    )


def _as_query(case: CorpusCase) -> CorpusQuery:
    return CorpusQuery(case.name, case.query, case.variables, case.operation_name)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_optional_json(path: Path) -> Any:
    return _read_json(path) if path.exists() else None
