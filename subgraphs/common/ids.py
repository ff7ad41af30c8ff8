"""GraphQL ``ID`` values are decimal strings of the domain's integer primary keys.

One rule, no trimming: an id is exactly the digits of a positive 64-bit integer. ``" 1"``
is BAD_USER_INPUT rather than customer 1, so a client's padding bug shows up at once
instead of two spellings naming one record (and cache keys disagreeing).
"""

from __future__ import annotations

from subgraphs.common.errors import BadUserInput

__all__ = ["MAX_ID", "format_id", "parse_id"]

MAX_ID = 2**63 - 1


def parse_id(value: object, what: str = "id") -> int:
    """The integer behind ``value``, or BAD_USER_INPUT naming ``what``."""
    text = str(value)
    if any(char.isspace() for char in text):
        raise BadUserInput(
            f"Invalid {what}: {value!r} contains whitespace; ids are plain digits",
            argument=what,
        )
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise BadUserInput(f"Invalid {what}: {value!r} is not a valid ID", argument=what)
    return int(text)


def format_id(value: int) -> str:
    return str(value)
