"""Cursors: opaque to clients, bound to the connection and the order they were made for.

A cursor is base64url of ``[scope, sort, key]``: the connection (``"orders"``,
``"Customer:7.orders"``), the sort's name and the row's key in that sort. A cursor of another
connection or another order, or one not made by us, is BAD_USER_INPUT: it would name a
position in a different list.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from subgraphs.common.errors import BadUserInput
from subgraphs.common.keyset import Key, Sort

__all__ = ["decode_cursor", "encode_cursor"]

_LIMIT = 2**63  # every integer column is at most a BIGINT


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(scope: str, sort: Sort, key: Key) -> str:
    text = json.dumps([scope, sort.name, [_plain(value) for value in key]], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def _typed(value: object, python_type: type) -> object:
    """``value`` (from JSON) as the column's type; ValueError when it is not one."""
    if python_type is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a cursor's timestamp carries its offset")
        return moment
    if isinstance(value, bool) or not isinstance(value, python_type):
        raise ValueError(f"{value!r} is not a {python_type.__name__}")
    if isinstance(value, int) and not -_LIMIT <= value < _LIMIT:
        raise ValueError(f"{value} is out of range")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("a NUL character")
    return value


def _python_type(sort: Sort, index: int) -> type:
    python_type: type = sort.columns[index].type.python_type
    return python_type


def decode_cursor(cursor: str, scope: str, sort: Sort, argument: str) -> Key:
    """The key inside ``cursor``; BAD_USER_INPUT unless it was made for ``scope`` and ``sort``."""
    try:
        made_for, sort_name, values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise BadUserInput(f"Invalid cursor: {cursor!r}", argument=argument) from None
    if made_for != scope or sort_name != sort.name:
        raise BadUserInput(
            f"The cursor in `{argument}` belongs to another list or order "
            "(cursors are valid only for the connection and orderBy that returned them)",
            argument=argument,
        )
    if not isinstance(values, list) or len(values) != len(sort.columns):
        raise BadUserInput(f"Invalid cursor: {cursor!r}", argument=argument)
    try:
        key: list[Any] = [_typed(value, _python_type(sort, i)) for i, value in enumerate(values)]
    except ValueError:
        raise BadUserInput(f"Invalid cursor: {cursor!r}", argument=argument) from None
    return tuple(key)
