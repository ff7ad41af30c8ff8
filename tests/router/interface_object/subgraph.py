"""A minimal Federation 2 subgraph on plain graphql-core, served as an ASGI app.

The interface-object fixture needs what the Python federation libraries do not all offer:
an ``@interfaceObject`` type, and ``_entities`` answering an entity *interface*
representation (``{"__typename": "Asset", "id": ...}``) with the concrete object. Values are
dicts carrying their ``__typename`` (graphql-core's default type resolver reads it); root
fields are callables in the root value (``info`` first, then the arguments).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLSchema, build_ast_schema, graphql, parse
from starlette.types import Receive, Scope, Send

__all__ = ["Resolve", "Subgraph"]

# representation -> the entity (a dict with its concrete __typename), or None
Resolve = Callable[[Mapping[str, Any]], dict[str, Any] | None]

_FEDERATION = """
scalar _Any
scalar FieldSet
type _Service { sdl: String }
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @interfaceObject on OBJECT
"""


def _entity_types(sdl: str) -> list[str]:
    """Object types with a ``@key`` (the members of ``_Entity``)."""
    return re.findall(r"^type (\w+)[^{]*@key\(", sdl, flags=re.MULTILINE)


class Subgraph:
    """One subgraph: its SDL (what ``_service { sdl }`` answers), root resolvers and entity
    resolution by ``__typename``."""

    def __init__(
        self,
        sdl: str,
        root: Mapping[str, Any],
        entities: Mapping[str, Resolve],
    ) -> None:
        self.sdl = sdl
        body = re.sub(r"^extend schema @link\([^)]*\)\n", "", sdl, flags=re.MULTILINE)
        members = " | ".join(_entity_types(sdl))
        extra = (
            f"union _Entity = {members}\n"
            "extend type Query {\n  _service: _Service!\n"
            "  _entities(representations: [_Any!]!): [_Entity]!\n}\n"
        )
        self.schema: GraphQLSchema = build_ast_schema(parse(_FEDERATION + body + extra))
        self.root = {
            **root,
            "_service": {"sdl": sdl},
            "_entities": lambda _info, representations: [
                self._entity(representation) for representation in representations
            ],
        }
        self.entities = entities
        self.requests: list[dict[str, Any]] = []

    def _entity(self, representation: Mapping[str, Any]) -> dict[str, Any] | None:
        typename = str(representation.get("__typename"))
        resolve = self.entities.get(typename)
        if resolve is None:
            raise ValueError(f"no entity resolution for {typename}")
        return resolve(representation)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        payload = json.loads(body)
        self.requests.append(payload)
        result = await graphql(
            self.schema,
            payload["query"],
            root_value=self.root,
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        answer: dict[str, Any] = {}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        answer["data"] = result.data
        content = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})
