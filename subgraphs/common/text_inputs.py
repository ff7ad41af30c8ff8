"""Reject text inputs no store can hold: a NUL character in any string of a request (a
variable, or a literal in the document) is BAD_USER_INPUT before any resolver runs.

PostgreSQL ``text`` cannot contain NUL: asyncpg raised a "invalid byte sequence" error from
deep inside a statement, which surfaced as INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from subgraphs.common.errors import BadUserInput

__all__ = ["RejectNul", "has_nul"]

_NUL = "\x00"


def has_nul(value: object) -> bool:
    """Whether ``value`` (a variable value: JSON-like) holds a string with a NUL in it."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _NUL in item:
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


class _FindNul(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> Any:
        if _NUL in node.value:
            self.found = True
            return Visitor.BREAK
        return None


class RejectNul(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        finder = _FindNul()
        query = context.query or ""
        # A literal can only hold a NUL through an escape (or the raw character).
        if context.graphql_document is not None and ("\\u" in query or _NUL in query):
            visit(context.graphql_document, finder)
        if finder.found or has_nul(context.variables):
            raise BadUserInput("Text inputs must not contain NUL characters")
        yield
