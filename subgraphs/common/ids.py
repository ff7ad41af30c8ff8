"""GraphQL ``ID`` values are decimal strings of the domain's integer primary keys."""

from __future__ import annotations

from subgraphs.common.errors import BadUserInput

__all__ = ["MAX_ID", "format_id", "parse_id"]

MAX_ID = 2**63 - 1


def parse_id(value: object, what: str = "id") -> int:
    """The integer behind ``value``, or BAD_USER_INPUT naming ``what``."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise BadUserInput(f"Invalid {what}: {value!r} is not a valid ID", argument=what)
    return int(text)


def format_id(value: int) -> str:
    return str(value)
