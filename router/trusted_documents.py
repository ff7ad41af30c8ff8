"""Trusted documents (safelisting): only the operations a manifest lists may run.

The manifest is Apollo's persisted-query manifest format::

    {"format": "apollo-persisted-query-manifest", "version": 1,
     "operations": [{"id": "<sha256 of body>", "name": "Op", "type": "query", "body": "..."}]}

A client names an operation by id (``extensions.persistedQuery.sha256Hash`` as Apollo
Client's persisted-queries link sends it, or the ``documentId`` request parameter) or sends
its full text, which must then be a listed body (compared after parsing and printing, so
whitespace and comments do not matter). Modes (``trusted_documents.mode``):

* ``safelist``: anything else is refused (``PERSISTED_QUERY_NOT_IN_LIST`` for an unknown
  id, ``QUERY_NOT_IN_SAFELIST`` for an unlisted text; Apollo Router's codes, HTTP 400);
* ``log_unknown``: anything else runs, and a warning names it (to build the list from
  real traffic before switching to ``safelist``);
* ``allow_all``: no check (ids from the manifest still resolve).

``trusted_documents.clients`` overrides the mode per security identity ``client_id``
(staff GraphiQL ``allow_all``, partners ``safelist``).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError, parse, print_ast
from pydantic import BaseModel, ConfigDict, Field

from router.http_protocol import HTTPProblem

__all__ = [
    "MANIFEST_FORMAT",
    "ManifestError",
    "ManifestOperation",
    "SafelistMode",
    "TrustedDocuments",
    "TrustedDocumentsConfig",
    "canonical_text",
    "load_manifest",
    "parse_manifest",
]

_log = logging.getLogger(__name__)

MANIFEST_FORMAT = "apollo-persisted-query-manifest"


class SafelistMode(enum.StrEnum):
    SAFELIST = "safelist"
    LOG_UNKNOWN = "log_unknown"
    ALLOW_ALL = "allow_all"


class TrustedDocumentsConfig(BaseModel):
    """``trusted_documents:`` in router.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # path of the manifest (``python -m router documents build``); unset: no manifest
    manifest: Path | None = None
    mode: SafelistMode = SafelistMode.ALLOW_ALL
    # per security identity client_id (a partner key's id, a JWT's client id)
    clients: dict[str, SafelistMode] = Field(default_factory=dict)


class ManifestError(ValueError):
    """The manifest file is unreadable or not in Apollo's format."""


@dataclass(frozen=True, slots=True)
class ManifestOperation:
    id: str
    name: str | None
    type: str
    body: str


def canonical_text(body: str) -> str | None:
    """The printed form of ``body`` (None when it does not parse)."""
    try:
        return print_ast(parse(body, no_location=True))
    except GraphQLError:
        return None


def parse_manifest(data: bytes, *, source: str = "manifest") -> tuple[ManifestOperation, ...]:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"{source}: not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{source}: 'format' must be {MANIFEST_FORMAT!r}")
    if document.get("version") != 1:
        raise ManifestError(f"{source}: only 'version': 1 is supported")
    operations = document.get("operations")
    if not isinstance(operations, list):
        raise ManifestError(f"{source}: 'operations' must be a list")
    parsed = []
    for index, entry in enumerate(operations):
        parsed.append(_operation(entry, f"{source}: operations[{index}]"))
    return tuple(parsed)


def _operation(entry: Any, where: str) -> ManifestOperation:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: must be an object")
    ident, body, kind = entry.get("id"), entry.get("body"), entry.get("type", "query")
    name = entry.get("name")
    if not isinstance(ident, str) or not ident:
        raise ManifestError(f"{where}: 'id' must be a non-empty string")
    if not isinstance(body, str) or not body.strip():
        raise ManifestError(f"{where}: 'body' must be a non-empty string")
    if kind not in ("query", "mutation", "subscription"):
        raise ManifestError(f"{where}: 'type' must be query, mutation or subscription")
    if name is not None and not isinstance(name, str):
        raise ManifestError(f"{where}: 'name' must be a string")
    return ManifestOperation(ident, name, kind, body)


def load_manifest(path: Path) -> tuple[ManifestOperation, ...]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the manifest: {error.strerror}") from None
    return parse_manifest(data, source=str(path))


class TrustedDocuments:
    """The manifest's operations by id and by canonical text, and the mode per client."""

    def __init__(
        self,
        operations: tuple[ManifestOperation, ...] = (),
        mode: SafelistMode = SafelistMode.ALLOW_ALL,
        clients: Mapping[str, SafelistMode] | None = None,
    ) -> None:
        self.by_id = {operation.id: operation for operation in operations}
        self._texts = {operation.body for operation in operations}
        self._canonical = {canonical_text(operation.body) for operation in operations}
        self._canonical.discard(None)
        self.mode = mode
        self.clients = dict(clients or {})

    @classmethod
    def from_config(cls, config: TrustedDocumentsConfig) -> TrustedDocuments:
        operations = load_manifest(config.manifest) if config.manifest is not None else ()
        return cls(operations, config.mode, config.clients)

    def mode_for(self, client_id: str | None) -> SafelistMode:
        if client_id is not None and client_id in self.clients:
            return self.clients[client_id]
        return self.mode

    def body(self, document_id: str) -> str | None:
        operation = self.by_id.get(document_id)
        return operation.body if operation is not None else None

    def is_listed(self, query: str) -> bool:
        if query in self._texts:
            return True
        return canonical_text(query) in self._canonical

    def refuse_unknown_id(self, document_id: str, client_id: str | None) -> None:
        """An id the manifest does not list (APQ may still know it unless safelisting)."""
        mode = self.mode_for(client_id)
        if mode is SafelistMode.SAFELIST:
            raise HTTPProblem(
                400,
                "PERSISTED_QUERY_NOT_IN_LIST",
                f"Persisted query '{document_id}' not found in the persisted query list",
            )
        if mode is SafelistMode.LOG_UNKNOWN:
            _log.warning("unknown persisted query id %s (client %s)", document_id, client_id)

    def check_text(self, query: str, client_id: str | None) -> None:
        """A free-form text: refused or logged unless the manifest lists it."""
        mode = self.mode_for(client_id)
        if mode is SafelistMode.ALLOW_ALL or self.is_listed(query):
            return
        if mode is SafelistMode.SAFELIST:
            raise HTTPProblem(
                400,
                "QUERY_NOT_IN_SAFELIST",
                "The operation body was not found in the persisted query safelist",
            )
        _log.warning("operation not in the safelist (client %s): %.200r", client_id, query)
