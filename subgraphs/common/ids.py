"""GraphQL ``ID`` values are decimal strings of the domain's integer primary keys.

One rule, no trimming: an id is exactly the digits of a positive 64-bit integer. ``" 1"``
is BAD_USER_INPUT rather than customer 1, so a client's padding bug shows up at once
instead of two spellings naming one record (and cache keys disagreeing). At most 19
digits are read (``int()`` of a 5,000-digit string raises, a 23-digit key overflows
BIGINT), and messages quote at most 40 characters of a hostile id.
"""

from __future__ import annotations

from subgraphs.common.errors import BadUserInput

__all__ = ["MAX_ID", "format_id", "parse_id", "parse_key"]

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_key(text: str) -> int | None:
    """The primary key written as ``text`` (plain digits), or None when it is not one."""
    if not (0 < len(text) <= _MAX_DIGITS and text.isascii() and text.isdigit()):
        return None
    key = int(text)
    return key if 0 < key <= MAX_ID else None


def parse_id(value: object, what: str = "id") -> int:
    """The integer behind ``value``, or BAD_USER_INPUT naming ``what``."""
    key: int | None = None
    if isinstance(value, str):
        if any(char.isspace() for char in value[: _MAX_DIGITS + 1]):
            raise BadUserInput(
                f"Invalid {what}: {_shown(value)} contains whitespace; ids are plain digits",
                argument=what,
            )
        key = parse_key(value)
    elif isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        key = value
    if key is None:
        raise BadUserInput(f"Invalid {what}: {_shown(value)} is not a valid ID", argument=what)
    return key


def _shown(value: object) -> str:
    """``value`` for an error message, cut short: hostile ids can be megabytes long."""
    if isinstance(value, str):
        return repr(value[:40] + "...") if len(value) > 40 else repr(value)
    return f"a {type(value).__name__}"


def format_id(value: int) -> str:
    return str(value)
